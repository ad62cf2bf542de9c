/**
 * What looking before leaping costs: the real CLI, spawned as a user would, against the simulator in
 * its own process.
 *
 *   npm run build && node dist/bench/look-before-you-leap.js [--preview-rows 20000] [--latency 50]
 *                                                           [--rows 2000] [--per-second 100] [-c 8] [--runs 3]
 *
 * 1. `--preview` of `--preview-rows` rows at `--latency` ms a request: read requests per row (200 rows a
 *    read is 0.005) and rows per second.
 * 2. A plain run and a `--backup --verify` run of `--rows` rows under the same tenant rate limit
 *    (`--per-second`) and latency, `--runs` times each, alternated: median rows per second of each,
 *    requests of each, and the ratio of their median times.
 * Each run gets a fresh simulator (a fresh rate window; unknown ids are created on first use).
 * Prints a table and the figures as JSON; input files are generated in os.tmpdir() and removed.
 */

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_CREDENTIALS } from '../src/simulator/create-simulator.js';
import { writeCorrectionsFile } from './corrections-file.js';
import { startSimulatorProcess } from './simulator-client.js';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

interface Plan {
  previewRows: number;
  latencyMs: number;
  rows: number;
  perSecond: number;
  concurrency: number;
  /** Runs of each of plain and careful, alternated (the machine is shared: medians, not one sample). */
  runs: number;
}

function parsePlan(argv: string[]): Plan {
  const plan: Plan = { previewRows: 20_000, latencyMs: 50, rows: 2000, perSecond: 100, concurrency: 8, runs: 3 };
  const names: Record<string, keyof Plan> = {
    '--preview-rows': 'previewRows',
    '--latency': 'latencyMs',
    '--rows': 'rows',
    '--per-second': 'perSecond',
    '-c': 'concurrency',
    '--runs': 'runs',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i] ?? ''];
    const value = Number(argv[i + 1]);
    if (key === undefined || !Number.isInteger(value) || value <= 0) throw new Error(`unknown flag or bad value: ${argv[i]} ${argv[i + 1]}`);
    plan[key] = value;
  }
  return plan;
}

interface RunFigures {
  exitCode: number | null;
  rows: number;
  elapsedMs: number;
  rowsPerSecond: number;
  /** Requests the simulator received, the token request included. */
  requests: number;
  rateLimited: number;
  updateRequests: number;
  readRequests: number;
}

/** One CLI run against a fresh simulator; figures from its --summary-json and the simulator's counters. */
async function measure(dir: string, input: string, simulatorOptions: Record<string, unknown>, args: string[]): Promise<RunFigures> {
  const simulator = await startSimulatorProcess(simulatorOptions);
  const summaryPath = join(dir, `summary-${Date.now()}.json`);
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--max-semi-space-size=6', CLI, input, '--summary-json', summaryPath, '--log-level', 'warn', ...args], {
        env: { ...process.env, ZUORA_BASE_URL: simulator.url, ZUORA_CLIENT_ID: DEMO_CREDENTIALS.clientId, ZUORA_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
      child.on('error', reject);
      child.on('close', (code) => {
        // The summary and warnings of a run that did not exit 0 say why.
        if (code !== 0) process.stderr.write(stderr);
        resolve(code);
      });
    });
    const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as { rows: number; elapsedMs: number; rowsPerSecond: number; requests: number; readRequests?: number };
    const stats = await simulator.stats();
    return {
      exitCode,
      rows: summary.rows,
      elapsedMs: summary.elapsedMs,
      rowsPerSecond: summary.rowsPerSecond,
      requests: stats.received,
      rateLimited: stats.rateLimited,
      updateRequests: summary.requests,
      readRequests: summary.readRequests ?? 0,
    };
  } finally {
    await simulator.close();
  }
}

/** The run of median elapsed time. */
function medianRun(runs: RunFigures[]): RunFigures {
  const sorted = [...runs].sort((a, b) => a.elapsedMs - b.elapsedMs);
  return sorted[Math.floor((sorted.length - 1) / 2)] as RunFigures;
}

async function main(): Promise<void> {
  const plan = parsePlan(process.argv.slice(2));
  const dir = await mkdtemp(join(tmpdir(), 'zuu-bench-look-'));
  try {
    const previewInput = join(dir, 'preview.csv');
    await writeCorrectionsFile(previewInput, plan.previewRows);
    process.stderr.write(`preview: ${plan.previewRows} rows, ${plan.latencyMs} ms latency, -c ${plan.concurrency}\n`);
    const preview = await measure(dir, previewInput, { latencyMs: plan.latencyMs }, ['--preview', '-c', String(plan.concurrency)]);

    const input = join(dir, 'apply.csv');
    await writeCorrectionsFile(input, plan.rows);
    const limited = { latencyMs: plan.latencyMs, rateLimit: { perSecond: plan.perSecond } };
    process.stderr.write(`plain vs --backup --verify: ${plan.rows} rows, ${plan.perSecond} req/s limit, ${plan.latencyMs} ms\n`);
    const plainRuns: RunFigures[] = [];
    const carefulRuns: RunFigures[] = [];
    for (let i = 0; i < plan.runs; i++) {
      plainRuns.push(await measure(dir, input, limited, ['-c', String(plan.concurrency), '--out', join(dir, `plain${i}.results.csv`), '--failures', join(dir, `plain${i}.failures.csv`)]));
      carefulRuns.push(
        await measure(dir, input, limited, [
          '-c',
          String(plan.concurrency),
          '--backup',
          join(dir, `apply${i}.backup.csv`),
          '--verify',
          '--out',
          join(dir, `careful${i}.results.csv`),
          '--failures',
          join(dir, `careful${i}.failures.csv`),
        ]),
      );
    }
    const plain = medianRun(plainRuns);
    const careful = medianRun(carefulRuns);
    const lines = [
      `| scenario | figure | value |`,
      `| --- | --- | --- |`,
      `| preview, ${plan.previewRows} rows, ${plan.latencyMs} ms | read requests per row | ${(preview.readRequests / preview.rows).toFixed(4)} (${preview.readRequests} reads) |`,
      `| preview, ${plan.previewRows} rows, ${plan.latencyMs} ms | rows/s | ${preview.rowsPerSecond.toFixed(0)} |`,
      `| ${plan.perSecond} req/s, ${plan.rows} rows, median of ${plan.runs} | plain run: rows/s, requests | ${plain.rowsPerSecond.toFixed(1)}, ${plain.requests} (${plain.rateLimited} answered 429) |`,
      `| ${plan.perSecond} req/s, ${plan.rows} rows, median of ${plan.runs} | --backup --verify: rows/s, requests | ${careful.rowsPerSecond.toFixed(1)}, ${careful.requests} (${careful.readRequests} reads, ${careful.rateLimited} answered 429) |`,
      `| ${plan.perSecond} req/s, ${plan.rows} rows | --backup --verify time / plain time | ${(careful.elapsedMs / plain.elapsedMs).toFixed(3)} |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n\n${JSON.stringify({ plan, preview, plainRuns, carefulRuns }, null, 2)}\n`);
    if ([preview, ...plainRuns, ...carefulRuns].some((run) => run.exitCode !== 0)) {
      process.stderr.write('a run did not exit 0: see the figures above\n');
      process.exitCode = 1;
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
