/**
 * The floor the CLI is compared with: the same gzipped PUTs (same URLs, headers and bodies, one token)
 * sent with got and p-limit and nothing else: no CSV, no results file, no logs, no retries.
 *   node dist/bench/bare-baseline.js <base-url> <rows> <concurrency>
 * Exits 0 when every PUT was answered 200, else 1 with a count on stderr.
 */

import http from 'node:http';
import { gzipSync } from 'node:zlib';
import got from 'got';
import pLimit from 'p-limit';
import { DEMO_CREDENTIALS } from '../src/simulator/create-simulator.js';
import { benchBody, benchRow } from './corrections-file.js';

const [baseUrl = '', rowsText = '0', concurrencyText = '1'] = process.argv.slice(2);
const rows = Number(rowsText);
const concurrency = Number(concurrencyText);

// The CLI's client settings: one keep-alive agent, as many sockets as requests in flight.
const client = got.extend({
  agent: { http: new http.Agent({ keepAlive: true, maxSockets: concurrency, scheduling: 'lifo' }) },
  retry: { limit: 0 },
  throwHttpErrors: false,
  followRedirect: false,
  responseType: 'text',
  headers: { 'user-agent': 'zuora-usage-update/0.1.0' },
});

const tokenResponse = await client.post(`${baseUrl}/oauth/token`, {
  form: { client_id: DEMO_CREDENTIALS.clientId, client_secret: DEMO_CREDENTIALS.clientSecret, grant_type: 'client_credentials' },
});
const token = (JSON.parse(tokenResponse.body) as { access_token: string }).access_token;

const limit = pLimit(concurrency);
let notOk = 0;
const put = async (i: number): Promise<void> => {
  const row = benchRow(i);
  const response = await client.put(`${baseUrl}/v1/object/usage/${row.id}?rejectUnknownFields=true`, {
    body: gzipSync(benchBody(row)),
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'accept-encoding': 'gzip',
      'zuora-track-id': `bare-${row.line}`,
    },
  });
  if (response.statusCode !== 200) notOk++;
};
// Rows are handed to p-limit a few at a time, as the CLI's pool takes them, not all 50,000 at once.
const queued = new Set<Promise<void>>();
for (let i = 0; i < rows; i++) {
  const job = limit(() => put(i)).finally(() => queued.delete(job));
  queued.add(job);
  if (queued.size >= concurrency * 2) await Promise.race(queued);
}
await Promise.all(queued);
if (notOk > 0) process.stderr.write(`bare baseline: ${notOk} of ${rows} PUTs were not answered 200\n`);
process.exit(notOk > 0 ? 1 : 0);
