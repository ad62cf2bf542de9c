/**
 * One bench session: its work folder and generated inputs, measured runs of the CLI and of the bare
 * baseline against a simulator process, and the table rows and JSON figures the scenarios add.
 */

import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SummaryJsonV1 } from '../src/output/summary-json.js';
import { DEMO_CREDENTIALS } from '../src/simulator/create-simulator.js';
import { writeCorrectionsFile } from './corrections-file.js';
import type { BenchFlags } from './flags.js';
import { runMeasured, type MeasuredRun } from './measured-process.js';
import { DEFAULT_RUNS, type Scenario } from './plan.js';
import type { MemorySample } from './report-usage.js';
import type { SimulatorProcess } from './simulator-client.js';
import type { SimulatorProcessStats } from './simulator-process.js';
import type { TableRow } from './table.js';

/** The repository root (this file runs as dist/bench/session.js). */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** `BENCH_CLI=<path to cli.js>` measures another build (e.g. a copy of an earlier commit's dist/) in the same run. */
export const CLI = process.env.BENCH_CLI ?? join(ROOT, 'dist/src/cli.js');
const BARE = join(ROOT, 'dist/bench/bare-baseline.js');
export const RESULTS_DIR = join(ROOT, 'bench/results');
const CLI_ENV = { ZUORA_CLIENT_ID: DEMO_CREDENTIALS.clientId, ZUORA_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret };

/**
 * The Node flags in the CLI's shebang (`#!/usr/bin/env -S node --flag ...`): a user who runs the
 * installed `zuora-usage-update` gets them, so the measured CLI gets them too.
 */
function shebangFlags(script: string): string[] {
  const first = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  if (!first.startsWith('#!')) return [];
  const words = first.slice(2).trim().split(/\s+/);
  const node = words.findIndex((word) => word === 'node' || word.endsWith('/node'));
  return node === -1 ? [] : words.slice(node + 1);
}
export const CLI_NODE_FLAGS = shebangFlags(CLI);

/** One measured run of the CLI or of the bare baseline. */
export interface RunFigures {
  rows: number;
  concurrency: number;
  wallMs: number;
  rowsPerSecond: number;
  cpuMs: number;
  cpuMsPerRow: number;
  maxRssMb: number;
  maxHeapUsedMb: number;
  /** Requests the simulator received during the run (the token request included). */
  requests: number;
  /** Token requests among them. */
  tokens: number;
  /** 429s the simulator sent for its rate limit during the run. */
  rateLimited: number;
  /** 429s the simulator sent for its concurrency limit during the run. */
  concurrencyLimited: number;
  /** Simulator CPU during the run, ms per row: the other process sharing the two cores. */
  simulatorCpuMsPerRow: number;
  /** CLI only: retries from its summary. */
  retries?: number;
  /** CLI only: read requests from its summary (`--preview`, `--backup`, `--verify`). */
  readRequests?: number;
  /** V8's heap size limit the process started with, MB. */
  heapSizeLimitMb?: number;
  /** [ms, rss, heapTotal, heapUsed, external] MB every 500 ms. */
  memorySamples?: MemorySample[];
}

/** How to run the CLI beyond the rows and concurrency. */
export interface CliRun {
  /** More CLI arguments, e.g. `['--transport', 'actions']`. */
  args?: string[];
  /** Node flags after the shebang's, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** Plain `node dist/src/cli.js`: none of the shebang's (or --node-flags') flags. */
  plainNode?: boolean;
  /** Run inside this cgroup (memory-cgroup.ts). */
  cgroupProcs?: string;
  /** The corrections file to run instead of the generated one of `rows` rows. */
  input?: string;
  /** The results that count as done: every row must end in one of them. Default `['updated']`. */
  done?: string[];
}

export class BenchSession {
  readonly table: TableRow[] = [];
  readonly json: Record<string, unknown> = {};
  private readonly files = new Map<number, string>();

  constructor(
    readonly flags: BenchFlags,
    readonly workDir: string,
  ) {}

  /** The Node flags every CLI run gets: the shebang's, or `--node-flags`. */
  get cliNodeFlags(): string[] {
    return this.flags.nodeFlags ?? CLI_NODE_FLAGS;
  }

  runsOf(scenario: Scenario): number {
    return this.flags.runs ?? DEFAULT_RUNS[scenario];
  }

  /** The generated corrections file of `rows` rows, written on first use. */
  async input(rows: number): Promise<string> {
    let path = this.files.get(rows);
    if (path === undefined) {
      path = join(this.workDir, `corrections-${rows}.csv`);
      await writeCorrectionsFile(path, rows);
      this.files.set(rows, path);
    }
    return path;
  }

  /** Runs the CLI on a generated file of `rows` rows. Throws unless it exits 0 with every row done. */
  async cli(simulator: SimulatorProcess, rows: number, concurrency: number, run: CliRun = {}): Promise<RunFigures> {
    const input = run.input ?? (await this.input(rows));
    const out = join(this.workDir, 'out.results.csv');
    const failures = join(this.workDir, 'out.failures.csv');
    const summaryPath = join(this.workDir, 'summary.json');
    // A preview sends nothing and refuses a failures file (BAD_OPTION).
    const failuresArgs = run.args?.includes('--preview') ? [] : ['--failures', failures];
    const args = [input, '--base-url', simulator.url, '-c', String(concurrency), '-o', out, ...failuresArgs, '--summary-json', summaryPath, ...(run.args ?? [])];
    const before = await simulator.stats();
    const nodeFlags = [...(run.plainNode ? [] : this.cliNodeFlags), ...(run.nodeFlags ?? [])];
    const measured = await runMeasured(CLI, args, { env: CLI_ENV, nodeFlags, ...(run.cgroupProcs === undefined ? {} : { cgroupProcs: run.cgroupProcs }) });
    const after = await simulator.stats();
    const what = `${rows} rows${run.args?.length ? ` with ${run.args.join(' ')}` : ''}`;
    // Exit 2 says some row did not end updated: fine when the run counts `invalid` as done (see `done`), checked below.
    const exitAccepted = measured.exitCode === 0 || (measured.exitCode === 2 && run.done?.includes('invalid') === true);
    if (!exitAccepted) throw new Error(`the CLI exited ${measured.exitCode ?? measured.signal}${measured.signal === 'SIGKILL' && run.cgroupProcs ? ' (killed: out of memory in its cgroup?)' : ''} on ${what}:\n${measured.stderrTail}`);
    const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as SummaryJsonV1;
    const counts: Record<string, number> = summary.counts;
    const done = run.done ?? ['updated'];
    const doneRows = done.reduce((sum, result) => sum + (counts[result] ?? 0), 0);
    if (doneRows !== rows) throw new Error(`the CLI ended ${doneRows} of ${rows} rows ${done.join(' or ')} on ${what} (${JSON.stringify(summary.counts)}):\n${measured.stderrTail}`);
    await Promise.all([out, failures, summaryPath].map((path) => rm(path, { force: true })));
    return { ...figures(measured, rows, concurrency, before, after), retries: summary.retries, readRequests: summary.requests.reads };
  }

  /**
   * Runs the bare got + p-limit baseline: the same PUTs, nothing else. `nodeFlags` (default none: plain
   * `node`) lets a scenario run it under the CLI's Node flags, so that a ratio compares the code alone.
   */
  async bare(simulator: SimulatorProcess, rows: number, concurrency: number, nodeFlags: string[] = []): Promise<RunFigures> {
    const before = await simulator.stats();
    const run = await runMeasured(BARE, [simulator.url, String(rows), String(concurrency)], { nodeFlags });
    const after = await simulator.stats();
    if (run.exitCode !== 0) throw new Error(`the bare baseline exited ${run.exitCode ?? run.signal}:\n${run.stderrTail}`);
    return figures(run, rows, concurrency, before, after);
  }

  row(scenario: Scenario, measure: string, value: string, target = '', pass?: boolean): void {
    this.table.push({ scenario, measure, value, target, ...(pass === undefined ? {} : { pass }) });
  }

  log(message: string): void {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
  }
}

function figures(run: MeasuredRun, rows: number, concurrency: number, before: SimulatorProcessStats, after: SimulatorProcessStats): RunFigures {
  const usage = run.usage;
  const cpuMs = usage ? usage.userMs + usage.systemMs : Number.NaN;
  const simulatorCpuMs = after.userMs + after.systemMs - (before.userMs + before.systemMs);
  return {
    rows,
    concurrency,
    wallMs: Math.round(run.wallMs),
    rowsPerSecond: (rows * 1000) / run.wallMs,
    cpuMs: Math.round(cpuMs),
    cpuMsPerRow: cpuMs / rows,
    maxRssMb: usage?.maxRssMb ?? Number.NaN,
    maxHeapUsedMb: usage?.maxHeapUsedMb ?? Number.NaN,
    requests: after.received - before.received,
    tokens: after.tokensIssued - before.tokensIssued,
    rateLimited: after.rateLimited - before.rateLimited,
    concurrencyLimited: after.concurrencyLimited - before.concurrencyLimited,
    simulatorCpuMsPerRow: simulatorCpuMs / rows,
    memorySamples: usage?.samples,
    ...(usage?.heapSizeLimitMb === undefined ? {} : { heapSizeLimitMb: usage.heapSizeLimitMb }),
  };
}
