/**
 * `--transport actions` against `--transport put` on the same rows, through the built CLI, against the
 * simulator in its own process with Zuora-like latency and Zuora's default concurrency limit:
 *
 *   npm run build && node dist/bench/transports.js [--rows 10000] [--latency 300] [--limit 40] [-c 40] [--only put|actions]
 *
 * Prints, per transport: rows per second, requests per row, CPU ms per row and peak RSS of the CLI
 * process (the simulator's CPU is not charged to it), and the simulator's 429s.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_CREDENTIALS } from '../src/simulator/create-simulator.js';
import { writeCorrectionsFile } from './corrections-file.js';
import { runMeasured } from './measured-process.js';
import { startSimulatorProcess } from './simulator-client.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000' },
    latency: { type: 'string', default: '300' },
    limit: { type: 'string', default: '40' },
    concurrency: { type: 'string', short: 'c', default: '40' },
    /** Run one transport only. */
    only: { type: 'string' },
  },
});
const rows = Number(values.rows);
const latencyMs = Number(values.latency);
const concurrencyLimit = Number(values.limit);
const concurrency = values.concurrency;

interface TransportFigures {
  transport: string;
  exitCode: number | null;
  seconds: number;
  rowsPerSecond: number;
  requests: number;
  requestsPerRow: number;
  cpuMsPerRow: number;
  peakRssMb: number;
  limited429: number;
  /** Most requests the simulator had in flight at once. */
  maxInFlight: number;
}

const dir = await mkdtemp(join(tmpdir(), 'zuu-bench-transports-'));
try {
  const input = join(dir, 'corrections.csv');
  await writeCorrectionsFile(input, rows);
  const figures: TransportFigures[] = [];
  for (const transport of values.only === undefined ? ['put', 'actions'] : [values.only]) {
    const simulator = await startSimulatorProcess({ latencyMs, concurrencyLimit });
    try {
      const before = await simulator.stats();
      const run = await runMeasured(CLI, [input, '--transport', transport, '-c', concurrency, '--out', join(dir, `${transport}.results.csv`), '--failures', join(dir, `${transport}.failures.csv`), '--log-level', 'warn'], {
        env: { ZUORA_BASE_URL: simulator.url, ZUORA_CLIENT_ID: DEMO_CREDENTIALS.clientId, ZUORA_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret },
      });
      const after = await simulator.stats();
      if (run.exitCode !== 0) process.stderr.write(`--transport ${transport} exited ${run.exitCode}:\n${run.stderrTail}\n`);
      const requests = after.received - before.received - (after.tokensIssued - before.tokensIssued);
      const cpuMs = run.usage === undefined ? Number.NaN : run.usage.userMs + run.usage.systemMs;
      figures.push({
        transport,
        exitCode: run.exitCode,
        seconds: Math.round(run.wallMs / 100) / 10,
        rowsPerSecond: Math.round((rows * 1000) / run.wallMs),
        requests,
        requestsPerRow: Math.round((requests / rows) * 10_000) / 10_000,
        cpuMsPerRow: Math.round((cpuMs / rows) * 1000) / 1000,
        peakRssMb: run.usage?.maxRssMb ?? Number.NaN,
        limited429: after.concurrencyLimited - before.concurrencyLimited + (after.rateLimited - before.rateLimited),
        maxInFlight: after.maxInFlight,
      });
    } finally {
      await simulator.close();
    }
  }
  process.stdout.write(`${rows} rows, simulator latency ${latencyMs} ms, concurrency limit ${concurrencyLimit}, -c ${concurrency}\n`);
  console.table(figures);
} finally {
  await rm(dir, { recursive: true, force: true });
}
