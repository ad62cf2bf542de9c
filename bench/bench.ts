/**
 * `npm run bench`: the real CLI, spawned as a user would, against the simulator in a separate process.
 *
 *   npm run bench [-- --runs N] [--only <scenario>[,<scenario>...]] [--long] [--cpu-prof]
 *
 * Default scenarios: latency-bound, client-bound, rate-limited, memory, peer; `scaling` (concurrency
 * and file-size sweep) runs only when named in --only. Prints one table and writes the same figures as
 * JSON to bench/results/latest.json. Input files are generated in os.tmpdir() and removed at the end.
 * See BENCHMARKS.md for the method.
 */

import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_CREDENTIALS } from '../src/simulator/create-simulator.js';
import { writeCorrectionsFile } from './corrections-file.js';
import { curlAvailable, fetchToken, runCurlPeer, writeCurlArgs } from './curl-peer.js';
import { runMeasured, type MeasuredRun } from './measured-process.js';
import type { MemorySample } from './report-usage.js';
import { startSimulatorProcess, type SimulatorProcess } from './simulator-client.js';
import type { SimulatorProcessStats } from './simulator-process.js';

const SCENARIOS = ['latency-bound', 'client-bound', 'rate-limited', 'memory', 'peer', 'scaling'] as const;
type Scenario = (typeof SCENARIOS)[number];
const DEFAULT_SCENARIOS: Scenario[] = ['latency-bound', 'client-bound', 'rate-limited', 'memory', 'peer'];

/**
 * Runs per figure when --runs is not given. The CPU-bound comparisons are noisy on a shared machine
 * and get three interleaved runs; the scenarios paced by the simulator's clock (latency, rate limit)
 * and peak RSS repeat within 1-2% and run once, which keeps the default under 10 minutes.
 */
const DEFAULT_RUNS: Record<Scenario, number> = {
  'latency-bound': 1,
  'client-bound': 3,
  'rate-limited': 1,
  memory: 1,
  peer: 3,
  scaling: 1,
};

/** Scenario sizes and knobs, as the issue sets them. */
const PLAN = {
  latencyBound: { latencyMs: 50, concurrencies: [20, 40], rows: 20_000, roundTripProbe: 100 },
  clientBound: { concurrency: 32, rows: 50_000 },
  rateLimited: { perSecond: 100, rows: 6_000, concurrency: 20, latencyMs: 50 },
  memory: { concurrency: 32, rows: [10_000, 300_000], longRows: 1_000_000 },
  peer: { rows: 2_000, parallel: 20 },
  scaling: {
    /** At 50 ms: rows = 250 x C, about 12.5 s each at the C/L bound. */
    latencyConcurrencies: [8, 20, 40, 64],
    zeroLatencyConcurrencies: [8, 32, 64],
    zeroLatencyRows: 20_000,
    sizes: [1_000, 10_000, 100_000],
  },
} as const;

const TARGETS = {
  latencyBoundShare: 0.95,
  clientVsBare: 0.85,
  clientVsCurl: 6,
  rateShare: 0.9,
  rateLimitedShare: 0.02,
  peakRssMbAtMillion: 150,
  rssGrowth: 1.3,
} as const;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli.js');
const BARE = join(ROOT, 'dist/bench/bare-baseline.js');
const RESULTS_DIR = join(ROOT, 'bench/results');
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
const CLI_NODE_FLAGS = shebangFlags(CLI);

interface Flags {
  /** --runs N when given: runs per figure in every scenario. */
  runs: number | undefined;
  only: Set<Scenario>;
  long: boolean;
  cpuProf: boolean;
}

/** One measured run of the CLI or of the bare baseline. */
interface RunFigures {
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
  /** 429s the simulator sent for its rate limit during the run. */
  rateLimited: number;
  /** Simulator CPU during the run, ms per row: the other process sharing the two cores. */
  simulatorCpuMsPerRow: number;
  /** CLI only: retries from its summary. */
  retries?: number;
  /** [ms, rss, heapTotal, heapUsed, external] MB every 500 ms. */
  memorySamples?: MemorySample[];
}

interface TableRow {
  scenario: string;
  measure: string;
  value: string;
  target: string;
  pass?: boolean;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { runs: undefined, only: new Set(DEFAULT_SCENARIOS), long: false, cpuProf: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--long') flags.long = true;
    else if (arg === '--cpu-prof') flags.cpuProf = true;
    else if (arg === '--runs') {
      const runs = Number(argv[++i]);
      if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1; got "${argv[i]}"`);
      flags.runs = runs;
    } else if (arg === '--only') {
      const names = (argv[++i] ?? '').split(',').map((name) => name.trim());
      const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
      if (unknown.length > 0) throw new Error(`--only: unknown scenario "${unknown.join(', ')}"; expected ${SCENARIOS.join(', ')}`);
      flags.only = new Set(names as Scenario[]);
    } else {
      throw new Error(`unknown flag "${arg}"; expected --runs N, --only <scenario>[,...], --long, --cpu-prof`);
    }
  }
  return flags;
}

class Bench {
  readonly table: TableRow[] = [];
  readonly json: Record<string, unknown> = {};
  private readonly files = new Map<number, string>();

  constructor(
    readonly flags: Flags,
    readonly workDir: string,
  ) {}

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

  /** Runs the CLI on a generated file of `rows` rows. Throws unless it exits 0 with every row updated. */
  async cli(simulator: SimulatorProcess, rows: number, concurrency: number, nodeFlags: string[] = []): Promise<RunFigures> {
    const input = await this.input(rows);
    const out = join(this.workDir, 'out.results.csv');
    const failures = join(this.workDir, 'out.failures.csv');
    const summaryPath = join(this.workDir, 'summary.json');
    const args = [input, '--base-url', simulator.url, '-c', String(concurrency), '-o', out, '--failures', failures, '--summary-json', summaryPath];
    const before = await simulator.stats();
    const run = await runMeasured(CLI, args, { env: CLI_ENV, nodeFlags: [...CLI_NODE_FLAGS, ...nodeFlags] });
    const after = await simulator.stats();
    if (run.exitCode !== 0) throw new Error(`the CLI exited ${run.exitCode ?? run.signal} on ${rows} rows:\n${run.stderrTail}`);
    const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as { counts: { updated: number }; retries: number };
    if (summary.counts.updated !== rows) throw new Error(`the CLI updated ${summary.counts.updated} of ${rows} rows:\n${run.stderrTail}`);
    await Promise.all([out, failures, summaryPath].map((path) => rm(path, { force: true })));
    return { ...figures(run, rows, concurrency, before, after), retries: summary.retries };
  }

  /** Runs the bare got + p-limit baseline: the same PUTs, nothing else. */
  async bare(simulator: SimulatorProcess, rows: number, concurrency: number): Promise<RunFigures> {
    const before = await simulator.stats();
    const run = await runMeasured(BARE, [simulator.url, String(rows), String(concurrency)]);
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
    rateLimited: after.rateLimited - before.rateLimited,
    simulatorCpuMsPerRow: simulatorCpuMs / rows,
    memorySamples: usage?.samples,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The live heap near the start and near the end of a run: the lowest heapUsed in the second and in the
 * last quarter of the samples (the troughs right after a collection). Equal floors = nothing retained per row.
 */
function heapFloors(samples: MemorySample[] | undefined): { early: number; late: number } | undefined {
  if (samples === undefined || samples.length < 8) return undefined;
  const quarter = Math.floor(samples.length / 4);
  const floor = (part: MemorySample[]): number => Math.min(...part.map((sample) => sample[3]));
  return { early: floor(samples.slice(quarter, 2 * quarter)), late: floor(samples.slice(-quarter)) };
}

const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const whole = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');
const percent = (value: number): string => (Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : 'n/a');
const count = (value: number): string => value.toLocaleString('en-US');
type Measure = 'rowsPerSecond' | 'cpuMsPerRow' | 'maxRssMb' | 'simulatorCpuMsPerRow';
const medianOf = (runs: RunFigures[], key: Measure): number => median(runs.map((run) => run[key]));
/** The runs without their memory series, for the JSON file. */
const brief = (runs: RunFigures[]): Array<Omit<RunFigures, 'memorySamples'>> => runs.map(({ memorySamples: _, ...rest }) => rest);
const spread = (runs: RunFigures[]): string =>
  runs.length < 2 ? '' : ` (runs ${runs.map((run) => whole(run.rowsPerSecond)).join(', ')})`;

async function latencyBound(bench: Bench): Promise<void> {
  const { latencyMs, concurrencies, rows, roundTripProbe } = PLAN.latencyBound;
  const runs = bench.runsOf('latency-bound');
  const simulator = await startSimulatorProcess({ latencyMs });
  const results: Record<string, unknown> = {};
  try {
    // What one request costs end to end here (simulator timer, loopback, a bare client), one at a time:
    // the bound a perfect client could reach is C / this, a little under C / L.
    // A one-row run is subtracted so that process start and token do not count.
    bench.log(`latency-bound: ${roundTripProbe} PUTs one at a time with the bare baseline, for the real round trip`);
    const startOnly = await bench.bare(simulator, 1, 1);
    const probe = await bench.bare(simulator, roundTripProbe + 1, 1);
    const roundTripMs = (probe.wallMs - startOnly.wallMs) / roundTripProbe;
    results.roundTripMsAtC1 = roundTripMs;
    for (const concurrency of concurrencies) {
      const bound = (concurrency * 1000) / latencyMs;
      const figuresOfC: RunFigures[] = [];
      for (let i = 0; i < runs; i++) {
        bench.log(`latency-bound: -c ${concurrency}, ${latencyMs} ms, ${rows} rows, run ${i + 1}/${runs}`);
        figuresOfC.push(await bench.cli(simulator, rows, concurrency));
      }
      const rate = medianOf(figuresOfC, 'rowsPerSecond');
      const share = rate / bound;
      results[`c${concurrency}`] = { bound, medianRowsPerSecond: rate, share, medianCpuMsPerRow: medianOf(figuresOfC, 'cpuMsPerRow'), runs: brief(figuresOfC) };
      bench.row(
        'latency-bound',
        `-c ${concurrency}, ${latencyMs} ms, ${count(rows)} rows: rows/s, share of C/L = ${bound}${spread(figuresOfC)}`,
        `${whole(rate)} = ${fixed(share, 3)}`,
        `>= ${TARGETS.latencyBoundShare}`,
        share >= TARGETS.latencyBoundShare,
      );
      bench.row('latency-bound', `-c ${concurrency}: CPU ms per row, peak RSS MB`, `${fixed(medianOf(figuresOfC, 'cpuMsPerRow'), 3)}, ${fixed(medianOf(figuresOfC, 'maxRssMb'), 0)}`);
    }
    bench.row('latency-bound', 'reference: one PUT at a time (bare), ms per round trip', fixed(roundTripMs, 1));
  } finally {
    await simulator.close();
  }
  bench.json['latency-bound'] = results;
}

async function clientBound(bench: Bench, curlRate: number | undefined): Promise<void> {
  const { concurrency, rows } = PLAN.clientBound;
  const runs = bench.runsOf('client-bound');
  const simulator = await startSimulatorProcess({ latencyMs: 0 });
  const cli: RunFigures[] = [];
  const bare: RunFigures[] = [];
  try {
    await bench.input(rows);
    for (let i = 0; i < runs; i++) {
      // Alternate which goes first, so that neither always runs right after the other.
      const order = i % 2 === 0 ? (['cli', 'bare'] as const) : (['bare', 'cli'] as const);
      for (const which of order) {
        bench.log(`client-bound: ${which}, -c ${concurrency}, ${rows} rows, run ${i + 1}/${runs}`);
        if (which === 'cli') cli.push(await bench.cli(simulator, rows, concurrency));
        else bare.push(await bench.bare(simulator, rows, concurrency));
      }
    }
    if (bench.flags.cpuProf) {
      const dir = join(RESULTS_DIR, 'profiles');
      await mkdir(dir, { recursive: true });
      bench.log(`client-bound: one more CLI run with --cpu-prof into ${dir} (not counted)`);
      await bench.cli(simulator, rows, concurrency, ['--cpu-prof', '--cpu-prof-dir', dir]);
      bench.log(`summarise it with: node dist/bench/profile-summary.js ${dir}/<file>.cpuprofile`);
    }
  } finally {
    await simulator.close();
  }
  const rate = medianOf(cli, 'rowsPerSecond');
  const bareRate = medianOf(bare, 'rowsPerSecond');
  // Each run's CLI is compared with the bare run next to it: drifts of a shared machine cancel out.
  const vsBare = median(cli.map((run, i) => run.rowsPerSecond / (bare[i]?.rowsPerSecond ?? Number.NaN)));
  const vsCurl = curlRate === undefined ? undefined : rate / curlRate;
  bench.json['client-bound'] = {
    cli: { medianRowsPerSecond: rate, medianCpuMsPerRow: medianOf(cli, 'cpuMsPerRow'), runs: brief(cli) },
    bare: { medianRowsPerSecond: bareRate, medianCpuMsPerRow: medianOf(bare, 'cpuMsPerRow'), runs: brief(bare) },
    ratioToBare: vsBare,
    ratioToCurl: vsCurl ?? null,
  };
  const label = `-c ${concurrency}, 0 ms, ${count(rows)} rows`;
  bench.row('client-bound', `${label}: CLI rows/s${spread(cli)}`, whole(rate));
  bench.row('client-bound', `${label}: bare got + p-limit rows/s${spread(bare)}`, whole(bareRate));
  bench.row('client-bound', 'CLI / bare (median of the per-run ratios)', fixed(vsBare, 3), `>= ${TARGETS.clientVsBare}`, vsBare >= TARGETS.clientVsBare);
  bench.row(
    'client-bound',
    'CLI / curl + xargs -P 20',
    vsCurl === undefined ? 'n/a (no curl figure in this run)' : `${fixed(vsCurl, 1)} x`,
    `>= ${TARGETS.clientVsCurl} x`,
    vsCurl === undefined ? undefined : vsCurl >= TARGETS.clientVsCurl,
  );
  bench.row('client-bound', 'CPU ms per row: CLI / bare', `${fixed(medianOf(cli, 'cpuMsPerRow'), 3)} / ${fixed(medianOf(bare, 'cpuMsPerRow'), 3)}`);
  bench.row('client-bound', 'simulator CPU ms per row (separate process, same cores)', fixed(medianOf(cli, 'simulatorCpuMsPerRow'), 3));
  bench.row('client-bound', 'peak RSS MB: CLI / bare', `${fixed(medianOf(cli, 'maxRssMb'), 0)} / ${fixed(medianOf(bare, 'maxRssMb'), 0)}`);
}

async function rateLimited(bench: Bench): Promise<void> {
  const { perSecond, rows, concurrency, latencyMs } = PLAN.rateLimited;
  const runs: RunFigures[] = [];
  const total = bench.runsOf('rate-limited');
  for (let i = 0; i < total; i++) {
    // A fresh simulator each run: no run starts in a window that another run has used.
    const simulator = await startSimulatorProcess({ latencyMs, rateLimit: { perSecond } });
    try {
      bench.log(`rate-limited: ${perSecond} req/s, -c ${concurrency}, ${latencyMs} ms, ${rows} rows, run ${i + 1}/${total}`);
      runs.push(await bench.cli(simulator, rows, concurrency));
    } finally {
      await simulator.close();
    }
  }
  const rate = medianOf(runs, 'rowsPerSecond');
  const share = rate / perSecond;
  const share429 = median(runs.map((run) => run.rateLimited / run.requests));
  bench.json['rate-limited'] = { limitPerSecond: perSecond, medianRowsPerSecond: rate, share, share429, runs: brief(runs) };
  const label = `${perSecond} req/s limit, -c ${concurrency}, ${latencyMs} ms, ${count(rows)} rows`;
  bench.row('rate-limited', `${label}: rows/s, share of the limit${spread(runs)}`, `${whole(rate)} = ${fixed(share, 3)}`, `>= ${TARGETS.rateShare}`, share >= TARGETS.rateShare);
  bench.row(
    'rate-limited',
    `requests answered 429 (${runs.map((run) => `${run.rateLimited} of ${run.requests}`).join(', ')})`,
    percent(share429),
    `<= ${percent(TARGETS.rateLimitedShare)}`,
    share429 <= TARGETS.rateLimitedShare,
  );
}

async function memory(bench: Bench): Promise<void> {
  const { concurrency } = PLAN.memory;
  const sizes: number[] = [...PLAN.memory.rows, ...(bench.flags.long ? [PLAN.memory.longRows] : [])];
  const runs = bench.runsOf('memory');
  const simulator = await startSimulatorProcess({ latencyMs: 0 });
  const bySize = new Map<number, RunFigures[]>();
  try {
    for (const rows of sizes) {
      bench.log(`memory: writing a ${rows}-row file`);
      await bench.input(rows);
      for (let i = 0; i < runs; i++) {
        bench.log(`memory: -c ${concurrency}, 0 ms, ${rows} rows, run ${i + 1}/${runs}`);
        bySize.set(rows, [...(bySize.get(rows) ?? []), await bench.cli(simulator, rows, concurrency)]);
      }
    }
  } finally {
    await simulator.close();
  }
  const result: Record<string, unknown> = {};
  for (const [rows, figuresOfSize] of bySize) {
    const rss = medianOf(figuresOfSize, 'maxRssMb');
    const last = figuresOfSize[figuresOfSize.length - 1];
    const floors = heapFloors(last?.memorySamples);
    result[String(rows)] = {
      medianMaxRssMb: rss,
      medianRowsPerSecond: medianOf(figuresOfSize, 'rowsPerSecond'),
      medianCpuMsPerRow: medianOf(figuresOfSize, 'cpuMsPerRow'),
      heapFloorsMb: floors ?? null,
      runs: brief(figuresOfSize),
      memorySamplesOfLastRun: last?.memorySamples ?? [],
    };
    const isLong = rows === PLAN.memory.longRows;
    bench.row(
      'memory',
      `${count(rows)} rows, -c ${concurrency}, 0 ms: peak RSS MB`,
      fixed(rss, 0),
      isLong ? `<= ${TARGETS.peakRssMbAtMillion}` : rows === 300_000 ? `(<= ${TARGETS.peakRssMbAtMillion} at 1M, --long)` : '',
      isLong ? rss <= TARGETS.peakRssMbAtMillion : undefined,
    );
    // A run of a few seconds has had too few collections for its troughs to mean anything.
    if (floors && rows >= 100_000) bench.row('memory', `${count(rows)} rows: live heap (heapUsed after GC) early -> late, MB`, `${fixed(floors.early, 0)} -> ${fixed(floors.late, 0)}`);
    bench.row('memory', `${count(rows)} rows: rows/s, CPU ms per row`, `${whole(medianOf(figuresOfSize, 'rowsPerSecond'))}, ${fixed(medianOf(figuresOfSize, 'cpuMsPerRow'), 3)}`);
  }
  const small = bySize.get(10_000);
  const large = bySize.get(300_000);
  if (small && large) {
    const growth = medianOf(large, 'maxRssMb') / medianOf(small, 'maxRssMb');
    result.rssGrowth300kOver10k = growth;
    bench.row('memory', 'RSS(300k) / RSS(10k)', fixed(growth, 2), `<= ${TARGETS.rssGrowth}`, growth <= TARGETS.rssGrowth);
  }
  bench.json.memory = result;
}

async function peer(bench: Bench): Promise<number | undefined> {
  const { rows, parallel } = PLAN.peer;
  const label = `curl + xargs -P ${parallel}, 0 ms, ${count(rows)} PUTs: rows/s`;
  if (!curlAvailable()) {
    bench.row('peer', label, 'n/a (curl not installed)');
    bench.json.peer = null;
    return undefined;
  }
  const argsPath = join(bench.workDir, `curl-args-${rows}.txt`);
  await writeCurlArgs(argsPath, rows);
  const simulator = await startSimulatorProcess({ latencyMs: 0 });
  const rates: number[] = [];
  const runs = bench.runsOf('peer');
  try {
    const token = await fetchToken(simulator.url);
    for (let i = 0; i < runs; i++) {
      bench.log(`peer: curl + xargs -P ${parallel}, ${rows} PUTs, run ${i + 1}/${runs}`);
      const run = await runCurlPeer(simulator.url, token, argsPath, parallel);
      if (run.ok !== rows) throw new Error(`curl peer: ${run.ok} of ${rows} PUTs were answered 200`);
      rates.push((rows * 1000) / run.wallMs);
    }
  } finally {
    await simulator.close();
  }
  const rate = median(rates);
  bench.json.peer = { rows, parallel, medianRowsPerSecond: rate, runs: rates };
  bench.row('peer', `${label}${rates.length > 1 ? ` (runs ${rates.map(whole).join(', ')})` : ''}`, whole(rate));
  return rate;
}

/** How the figures move with concurrency and file size (opt-in: `--only scaling`). */
async function scaling(bench: Bench): Promise<void> {
  const { latencyConcurrencies, zeroLatencyConcurrencies, zeroLatencyRows, sizes } = PLAN.scaling;
  const runs = bench.runsOf('scaling');
  const measure = async (simulator: SimulatorProcess, rows: number, concurrency: number): Promise<RunFigures> => {
    const all: RunFigures[] = [];
    for (let i = 0; i < runs; i++) {
      bench.log(`scaling: -c ${concurrency}, ${rows} rows, run ${i + 1}/${runs}`);
      all.push(await bench.cli(simulator, rows, concurrency));
    }
    const rate = medianOf(all, 'rowsPerSecond');
    return { ...(all[0] as RunFigures), rowsPerSecond: rate, cpuMsPerRow: medianOf(all, 'cpuMsPerRow'), maxRssMb: medianOf(all, 'maxRssMb'), memorySamples: undefined };
  };
  const result: Record<string, unknown[]> = { latency50: [], latency0: [], size: [] };
  const slow = await startSimulatorProcess({ latencyMs: 50 });
  try {
    for (const concurrency of latencyConcurrencies) {
      const run = await measure(slow, 250 * concurrency, concurrency);
      const share = run.rowsPerSecond / (concurrency * 20);
      result.latency50?.push({ ...run, shareOfBound: share });
      bench.row('scaling', `50 ms, -c ${concurrency}, ${count(run.rows)} rows: rows/s (share of C/L), CPU ms/row, RSS MB`, `${whole(run.rowsPerSecond)} (${fixed(share, 3)}), ${fixed(run.cpuMsPerRow, 3)}, ${fixed(run.maxRssMb, 0)}`);
    }
  } finally {
    await slow.close();
  }
  const fast = await startSimulatorProcess({ latencyMs: 0 });
  try {
    for (const concurrency of zeroLatencyConcurrencies) {
      const run = await measure(fast, zeroLatencyRows, concurrency);
      result.latency0?.push(run);
      bench.row('scaling', `0 ms, -c ${concurrency}, ${count(run.rows)} rows: rows/s, CPU ms/row, RSS MB`, `${whole(run.rowsPerSecond)}, ${fixed(run.cpuMsPerRow, 3)}, ${fixed(run.maxRssMb, 0)}`);
    }
    for (const rows of sizes) {
      const run = await measure(fast, rows, PLAN.clientBound.concurrency);
      result.size?.push(run);
      bench.row('scaling', `0 ms, -c ${PLAN.clientBound.concurrency}, ${count(rows)} rows: rows/s, CPU ms/row, RSS MB`, `${whole(run.rowsPerSecond)}, ${fixed(run.cpuMsPerRow, 3)}, ${fixed(run.maxRssMb, 0)}`);
    }
  } finally {
    await fast.close();
  }
  bench.json.scaling = result;
}

function machine(): { cpu: string; cores: number; memoryGb: number; kernel: string; node: string } {
  const cpu = cpus();
  return { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, memoryGb: Math.round(totalmem() / 2 ** 30), kernel: release(), node: process.version };
}

/** A Markdown table, so the output pastes into BENCHMARKS.md as is. */
function formatTable(rows: TableRow[]): string {
  const cells = rows.map((row) => [row.scenario, row.measure, row.value, row.target, row.pass === undefined ? '' : row.pass ? 'ok' : 'MISS']);
  const header = ['scenario', 'measure', 'median', 'target', ''];
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => (line[i] ?? '').length)));
  const line = (values: string[]): string => `| ${values.map((value, i) => value.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

async function main(): Promise<void> {
  let flags: Flags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const workDir = await mkdtemp(join(tmpdir(), 'zuu-bench-'));
  const bench = new Bench(flags, workDir);
  const started = Date.now();
  const seconds: Record<string, number> = {};
  // A scenario that fails (the CLI exits non-zero, a row is not updated) is reported, and the others still run.
  const timed = async <T>(name: Scenario, step: () => Promise<T>): Promise<T | undefined> => {
    const from = Date.now();
    try {
      return await step();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      bench.log(`${name} failed: ${message}`);
      bench.row(name, 'FAILED', message.split('\n')[0] ?? '');
      bench.json[name] = { error: message };
      process.exitCode = 1;
      return undefined;
    } finally {
      seconds[name] = Math.round((Date.now() - from) / 1000);
    }
  };
  try {
    // The peer runs first: the client-bound ratio to curl needs its figure.
    const curlRate = flags.only.has('peer') ? await timed('peer', () => peer(bench)) : undefined;
    if (flags.only.has('latency-bound')) await timed('latency-bound', () => latencyBound(bench));
    if (flags.only.has('client-bound')) await timed('client-bound', () => clientBound(bench, curlRate));
    if (flags.only.has('rate-limited')) await timed('rate-limited', () => rateLimited(bench));
    if (flags.only.has('memory')) await timed('memory', () => memory(bench));
    if (flags.only.has('scaling')) await timed('scaling', () => scaling(bench));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  const elapsedSeconds = Math.round((Date.now() - started) / 1000);
  const info = machine();
  const runs = [...flags.only].map((name) => `${name} ${bench.runsOf(name)}`).join(', ');
  process.stdout.write(
    `\n${formatTable(bench.table)}\n\n` +
      `${info.cpu}, ${info.cores} cores, ${info.memoryGb} GB, Linux ${info.kernel}, Node ${info.node}\n` +
      `CLI: node ${[...CLI_NODE_FLAGS, 'dist/src/cli.js'].join(' ')} <file> --base-url <simulator> -c N; bare baseline and simulator: plain node\n` +
      `runs per figure: ${runs}; ${elapsedSeconds} s in all (${Object.entries(seconds).map(([name, s]) => `${name} ${s} s`).join(', ')})\n`,
  );
  await mkdir(RESULTS_DIR, { recursive: true });
  const report = {
    date: new Date(started).toISOString(),
    machine: info,
    flags: { runs: flags.runs ?? null, only: [...flags.only], long: flags.long, cpuProf: flags.cpuProf },
    cliNodeFlags: CLI_NODE_FLAGS,
    runsPerScenario: Object.fromEntries([...flags.only].map((name) => [name, bench.runsOf(name)])),
    elapsedSeconds,
    scenarioSeconds: seconds,
    targets: TARGETS,
    table: bench.table,
    scenarios: bench.json,
  };
  const path = join(RESULTS_DIR, 'latest.json');
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`figures written to ${path}\n`);
}

await main();
