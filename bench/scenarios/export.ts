/**
 * export (issue 19): `export` of 100,000 records (requests = the pages: one query, then queryMore calls,
 * 2,000 records each; records/s; peak RSS), and `--skip-unchanged` applying a 10,000-row export with 20
 * edits (requests at most 50 reads + 20 writes + the token).
 */

import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { csvLine } from '../../src/output/csv-line.js';
import { DEMO_CREDENTIALS } from '../../src/simulator/create-simulator.js';
import { runMeasured } from '../measured-process.js';
import { PLAN } from '../plan.js';
import { CLI, type BenchSession } from '../session.js';
import { startSimulatorProcess, type SimulatorProcess } from '../simulator-client.js';
import { count, fixed, whole } from '../table.js';

const ENV = { ZUORA_CLIENT_ID: DEMO_CREDENTIALS.clientId, ZUORA_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret };

async function runCli(bench: BenchSession, simulator: SimulatorProcess, args: string[]) {
  const before = await simulator.stats();
  const run = await runMeasured(CLI, [...args, '--base-url', simulator.url], { env: ENV, nodeFlags: bench.cliNodeFlags });
  const after = await simulator.stats();
  if (run.exitCode !== 0) throw new Error(`zuora-usage-update ${args.join(' ')} exited ${run.exitCode}: ${run.stderrTail}`);
  return { run, requests: after.received - before.received, tokens: after.tokensIssued - before.tokensIssued };
}

export async function exportScenario(bench: BenchSession): Promise<void> {
  const { records, skipRows, edits } = PLAN.export;
  const result: Record<string, unknown> = {};

  const big = await startSimulatorProcess({ generatedRecords: records });
  const out = join(bench.workDir, 'export.csv');
  try {
    bench.log(`export: ${records} records`);
    const { run, requests, tokens } = await runCli(bench, big, ['export', '-o', out]);
    const rows = (await readFile(out, 'utf8')).split('\r\n').length - 2;
    if (rows !== records) throw new Error(`export wrote ${rows} rows of ${records}`);
    const pages = Math.ceil(records / 2000);
    const seconds = run.wallMs / 1000;
    result.export = { records, requests: requests - tokens, expectedRequests: pages, tokens, wallMs: run.wallMs, recordsPerSecond: records / seconds, maxRssMb: run.usage?.maxRssMb };
    bench.row('export', `export of ${count(records)} records: query + queryMore requests (token apart)`, String(requests - tokens), `= ${pages} (ceil(n / 2,000))`, requests - tokens === pages);
    bench.row('export', `export of ${count(records)} records: records/s, peak RSS MB`, `${whole(records / seconds)}, ${fixed(run.usage?.maxRssMb ?? Number.NaN, 0)}`);
  } finally {
    await big.close();
    await rm(out, { force: true });
  }

  const small = await startSimulatorProcess({ generatedRecords: skipRows });
  const file = join(bench.workDir, 'skip.csv');
  try {
    await runCli(bench, small, ['export', '-o', file]);
    const table = parse(await readFile(file, 'utf8'), { bom: true }) as string[][];
    const header = table[0] ?? [];
    const quantity = header.indexOf('Quantity');
    const status = header.indexOf('Current Status');
    let edited = 0;
    for (const row of table.slice(1)) {
      if (edited === edits) break;
      if (row[status] !== 'Pending') continue;
      row[quantity] = `${row[quantity]}1`;
      edited++;
    }
    await writeFile(file, `\uFEFF${table.map((row) => csvLine(row, ',').replace(/\n$/, '\r\n')).join('')}`);
    bench.log(`export: --skip-unchanged, ${skipRows} rows, ${edits} edited`);
    const { run, requests, tokens } = await runCli(bench, small, [file, '--skip-unchanged', '--out', join(bench.workDir, 'skip.results.csv'), '--failures', join(bench.workDir, 'skip.failures.csv')]);
    const reads = Math.ceil(skipRows / 200);
    const limit = reads + edits + 1;
    result.skipUnchanged = { rows: skipRows, edits, requests, tokens, limit, wallMs: run.wallMs, maxRssMb: run.usage?.maxRssMb };
    bench.row('export', `--skip-unchanged, ${count(skipRows)} rows, ${edits} edited: requests (reads + writes + token)`, String(requests), `<= ${limit} (${reads} + ${edits} + 1)`, requests <= limit);
    bench.row('export', `--skip-unchanged, ${count(skipRows)} rows: wall s, peak RSS MB`, `${fixed(run.wallMs / 1000, 1)}, ${fixed(run.usage?.maxRssMb ?? Number.NaN, 0)}`);
  } finally {
    await small.close();
  }
  bench.json.export = result;
}
