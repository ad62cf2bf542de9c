import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCsv, runCli, workdir } from '../helpers/cli.js';

/**
 * What stands between the tool and Zuora is not always Zuora: a proxy's login page, an empty 200 from a
 * wrong base URL, a gateway answering for another record. None of that may ever be called `updated`.
 */

const ID_A = '8ad08ae29085a77b0190908bfdd67ab1';
const ID_B = '8ad08ae29085a77b0190908bfdd67ab2';
const INPUT = { name: 'fix.csv', text: `Id,Quantity\n${ID_A},5\n${ID_B},7\n` };

let server: Server | undefined;
const dirs: string[] = [];
afterEach(async () => {
  if (server) {
    server.closeAllConnections();
    server.close();
    server = undefined;
  }
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A real HTTP server on loopback that answers every request with `answer`, counting them. */
async function stubServer(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; count: () => number }> {
  let count = 0;
  server = createServer((req, res) => {
    count++;
    req.resume();
    req.on('end', () => answer(req, res));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, count: () => count };
}

/** A loopback URL where nothing listens any more, so every connection is refused. */
async function refusedUrl(): Promise<string> {
  const { url } = await stubServer(() => undefined);
  server?.close();
  server = undefined;
  return url;
}

async function input(): Promise<{ dir: string; input: string }> {
  const made = await workdir(INPUT);
  dirs.push(made.dir);
  return made;
}

describe('a 2xx that is not Zuora\'s success body is never `updated`', () => {
  it.each([
    ['a proxy page (HTML with 200)', 'text/html', '<!DOCTYPE html><html><head><title>Sign in</title></head><body>Corporate proxy: please sign in</body></html>', /Sign in/],
    ['an empty 200 (a wrong base URL)', 'text/plain', '', /\(empty\)/],
    ['JSON without Success', 'application/json', '{"status":"ok"}', /"status":"ok"/],
    ['success for another record', 'application/json', `{"Id":"${'f'.repeat(32)}","Success":true}`, /another record/],
  ])('%s: unknown with UNEXPECTED_ANSWER and the start of the body, exit 2, one attempt each', async (_name, type, body, message) => {
    const stub = await stubServer((_req, res) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    });
    const { dir, input: path } = await input();
    const run = await runCli([path, '--base-url', stub.url, '--track-prefix', 't'], { env: { ZUORA_ACCESS_TOKEN: 'static-token-0123456789' } });
    expect(run.code, run.stderr).toBe(2);
    const results = await readCsv(join(dir, 'fix.results.csv'));
    expect(results.map((r) => [r.Id, r.result, r.error_code, r.http_status, r.attempts])).toEqual([
      [ID_A, 'unknown', 'UNEXPECTED_ANSWER', '200', '1'],
      [ID_B, 'unknown', 'UNEXPECTED_ANSWER', '200', '1'],
    ]);
    for (const row of results) expect(row.error_message).toMatch(message);
    expect(stub.count()).toBe(2);
    expect(await readCsv(join(dir, 'fix.failures.csv'))).toHaveLength(2);
  });

  it('the token never reaches the message, even when the page echoes it', async () => {
    const token = 'static-token-echoed-0123456789';
    const stub = await stubServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<html>you sent ${req.headers.authorization ?? ''}</html>`);
    });
    const { dir, input: path } = await input();
    const run = await runCli([path, '--base-url', stub.url], { env: { ZUORA_ACCESS_TOKEN: token } });
    expect(run.code).toBe(2);
    const results = await readCsv(join(dir, 'fix.results.csv'));
    expect(results[0]?.error_code).toBe('UNEXPECTED_ANSWER');
    expect(JSON.stringify(results)).not.toContain(token);
    expect(run.stderr).not.toContain(token);
  });
});

describe('an unreachable Zuora is exit 3 whenever it happens, also at the token endpoint', () => {
  it('OAuth endpoint refusing connections: exit 3 (not 1), nothing refused, the message says unreachable', async () => {
    const url = await refusedUrl();
    const { input: path } = await input();
    const run = await runCli([path, '--base-url', url, '--max-attempts', '1'], {
      env: { ZUORA_CLIENT_ID: 'client', ZUORA_CLIENT_SECRET: 'secret-value-123' },
    });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/unreachable/);
    expect(run.stderr).not.toMatch(/refused the client credentials/);
    expect(run.stderr).not.toContain('secret-value-123');
  });

  it('OAuth endpoint answering 503 on every attempt: exit 3', async () => {
    const stub = await stubServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html>Service Unavailable</html>');
    });
    const { input: path } = await input();
    const run = await runCli([path, '--base-url', stub.url, '--max-attempts', '1'], {
      env: { ZUORA_CLIENT_ID: 'client', ZUORA_CLIENT_SECRET: 'secret-value-123' },
    });
    expect(run.code, run.stderr).toBe(3);
    expect(stub.count()).toBe(1);
  });

  it('the same outage with a static token: exit 3 as well', async () => {
    const url = await refusedUrl();
    const { input: path } = await input();
    const run = await runCli([path, '--base-url', url, '--max-attempts', '1'], { env: { ZUORA_ACCESS_TOKEN: 'static-token-0123456789' } });
    expect(run.code).toBe(3);
  });

  it('credentials refused by the token endpoint are still exit 1', async () => {
    const stub = await stubServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"invalid_client"}');
    });
    const { input: path } = await input();
    const run = await runCli([path, '--base-url', stub.url], { env: { ZUORA_CLIENT_ID: 'client', ZUORA_CLIENT_SECRET: 'secret-value-123' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/refused the client credentials/);
  });
});
