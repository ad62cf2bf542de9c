/**
 * memory-limit (issue 21): peak RSS of every mode at 1,000,000 rows of distinct Ids (`--rows` for a
 * quicker look) against 100 MB, with the CLI's shebang flags; put and actions also with plain `node`;
 * and one run of every row updated inside a hard 128 MiB memory cgroup (or, where the machine gives no
 * cgroup, peak RSS against 128 MiB and why). Modes: put, actions, `--preview`, `--backup --verify`
 * (both transports), `--report`, `--skip-unchanged` (a fresh simulator, so every row is read and then
 * updated), and `export` of as many records; and, as the floor under them all, the bare got + p-limit
 * sender (bare-baseline.js) sending as many PUTs under the same flags.
 */

import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createMemoryCgroup } from '../memory-cgroup.js';
import { runMeasured } from '../measured-process.js';
import { PLAN, TARGETS, type Transport } from '../plan.js';
import { CLI, type BenchSession, type CliRun, type RunFigures } from '../session.js';
import { startSimulatorProcess, type SimulatorProcess } from '../simulator-client.js';
import { count, fixed, whole } from '../table.js';
import { DEMO_CREDENTIALS } from '../../src/simulator/create-simulator.js';
import { PREVIEW_RESULTS } from './look-before.js';

const MB = 2 ** 20;

interface Mode {
  name: string;
  run: (transport: Transport) => CliRun;
  /** A fresh simulator: every Id unknown until read (`--skip-unchanged` then updates every row). */
  fresh?: boolean;
  /** Once, not per transport. */
  once?: boolean;
}

export async function memoryLimit(bench: BenchSession): Promise<void> {
  const rows = bench.flags.rows ?? PLAN.memoryLimit.rows;
  const { concurrency, limitMb } = PLAN.memoryLimit;
  const targetMb = TARGETS.peakRssMbLimited;
  const backup = join(bench.workDir, 'memory-limit.backup.csv');
  const report = join(bench.workDir, 'memory-limit.report.html');
  // The modes that read first also judge quantities 1000 x Zuora's: the simulator invents Quantity 1 for an
  // unknown Id, and about one generated row in a million is 1000.00, rightly refused (QUANTITY_TIMES_1000).
  const modes: Mode[] = [
    { name: '--preview, ', run: () => ({ args: ['--preview'], done: [...PREVIEW_RESULTS, 'invalid'] }), once: true },
    { name: '', run: (transport) => ({ args: ['--transport', transport] }) },
    { name: '--skip-unchanged, ', run: (transport) => ({ args: ['--transport', transport, '--skip-unchanged'], done: ['updated', 'unchanged', 'invalid'] }), fresh: true },
    { name: '--report, ', run: (transport) => ({ args: ['--transport', transport, '--report', report] }) },
    { name: '--backup --verify, ', run: (transport) => ({ args: ['--transport', transport, '--backup', backup, '--verify'], done: ['updated', 'invalid'] }) },
    { name: 'plain node, ', run: (transport) => ({ args: ['--transport', transport], plainNode: true }) },
  ];
  const result: Record<string, unknown> = {};
  const measured = (label: string, figures: RunFigures): void => {
    result[label] = { maxRssMb: figures.maxRssMb, cpuMsPerRow: figures.cpuMsPerRow, rowsPerSecond: figures.rowsPerSecond, heapSizeLimitMb: figures.heapSizeLimitMb, samples: figures.memorySamples ?? [] };
    // Logged as measured too: a run stopped halfway still tells what it saw.
    bench.log(`memory-limit: ${label}: peak RSS ${fixed(figures.maxRssMb, 0)} MB, CPU ${fixed(figures.cpuMsPerRow, 3)} ms/row`);
    bench.row('memory-limit', `${label}, ${count(rows)} rows: peak RSS MB (CPU ms/row, rows/s)`, `${fixed(figures.maxRssMb, 0)} (${fixed(figures.cpuMsPerRow, 3)}, ${whole(figures.rowsPerSecond)})`, `<= ${targetMb}`, figures.maxRssMb <= targetMb);
  };
  const withSimulator = async (fresh: boolean, shared: SimulatorProcess | undefined, step: (simulator: SimulatorProcess) => Promise<void>): Promise<void> => {
    const simulator = fresh || shared === undefined ? await startSimulatorProcess({ latencyMs: 0 }) : shared;
    try {
      await step(simulator);
    } finally {
      if (simulator !== shared) await simulator.close();
    }
  };

  await bench.input(rows);
  const shared = await startSimulatorProcess({ latencyMs: 0 });
  try {
    // The limited run first: the one figure that must not be missing when a long run is cut short.
    await limited(bench, shared, rows, result);
    for (const mode of modes) {
      for (const transport of mode.once ? (['put'] as Transport[]) : [...bench.flags.transports]) {
        const label = `${mode.name}${mode.once ? '' : `--transport ${transport}`}`.replace(/, $/, '');
        bench.log(`memory-limit: ${label}, -c ${concurrency}, 0 ms, ${rows} rows`);
        try {
          await withSimulator(mode.fresh ?? false, shared, async (simulator) => measured(label, await bench.cli(simulator, rows, concurrency, mode.run(transport))));
        } catch (error) {
          bench.row('memory-limit', `${label}: FAILED`, (error as Error).message.split('\n')[0] ?? '');
        } finally {
          await Promise.all([backup, report].map((path) => rm(path, { force: true })));
        }
      }
    }
    await floor(bench, shared, rows, result);
  } finally {
    await shared.close();
  }
  await exportRun(bench, rows, result);
  bench.json['memory-limit'] = result;

  async function limited(session: BenchSession, simulator: SimulatorProcess, size: number, into: Record<string, unknown>): Promise<void> {
    const transport = session.flags.transports.has('put') ? 'put' : 'actions';
    const label = `${limitMb} MiB hard limit, --transport ${transport}, every row updated`;
    const cgroup = createMemoryCgroup(limitMb * MB);
    if (typeof cgroup === 'string') {
      session.log(`memory-limit: no cgroup (${cgroup}); reporting peak RSS against ${limitMb} MiB`);
      const figures = await session.cli(simulator, size, concurrency, { args: ['--transport', transport] });
      into.limit = { cgroup: cgroup, maxRssMb: figures.maxRssMb };
      session.row('memory-limit', `${label}: no cgroup (${cgroup}); peak RSS MB`, fixed(figures.maxRssMb, 0), `<= ${fixed((limitMb * MB) / 1e6, 0)} MB`, figures.maxRssMb <= (limitMb * MB) / 1e6);
      return;
    }
    try {
      session.log(`memory-limit: ${label}, in a cgroup v${cgroup.version}, ${size} rows`);
      try {
        const figures = await session.cli(simulator, size, concurrency, { args: ['--transport', transport], cgroupProcs: cgroup.procs });
        const peak = cgroup.peakMb();
        const hits = cgroup.limitHits();
        into.limit = { cgroupVersion: cgroup.version, cgroupPeakMb: peak, ...hits, maxRssMb: figures.maxRssMb, heapSizeLimitMb: figures.heapSizeLimitMb, cpuMsPerRow: figures.cpuMsPerRow };
        session.log(`memory-limit: ${label}: cgroup peak ${fixed(peak, 0)} MB, process peak RSS ${fixed(figures.maxRssMb, 0)} MB, V8 heap limit ${fixed(figures.heapSizeLimitMb ?? Number.NaN, 0)} MB, limit hit ${hits.failcnt} times, ${hits.oomKills} OOM kills`);
        session.row(
          'memory-limit',
          `${label}: no OOM; cgroup v${cgroup.version} peak (page cache counted) MB / process peak RSS MB / V8 heap limit MB`,
          `${fixed(peak, 0)} / ${fixed(figures.maxRssMb, 0)} / ${fixed(figures.heapSizeLimitMb ?? Number.NaN, 0)} (limit hit ${hits.failcnt} times, ${hits.oomKills} OOM kills)`,
          `no OOM, <= ${limitMb} MiB`,
          hits.oomKills === 0,
        );
      } catch (error) {
        const hits = cgroup.limitHits();
        into.limit = { cgroupVersion: cgroup.version, cgroupPeakMb: cgroup.peakMb(), ...hits, error: (error as Error).message };
        session.row('memory-limit', `${label}: FAILED (${hits.oomKills} OOM kills)`, (error as Error).message.split('\n')[0] ?? '', 'no OOM', false);
      }
    } finally {
      cgroup.remove();
    }
  }

  /**
   * The floor under every mode: the bare got + p-limit sender (bare-baseline.js: no CSV, no results, no
   * logs) sending as many PUTs under the CLI's Node flags. What it needs, a CLI built on got needs too.
   */
  async function floor(session: BenchSession, simulator: SimulatorProcess, size: number, into: Record<string, unknown>): Promise<void> {
    session.log(`memory-limit: bare got + p-limit, -c ${concurrency}, 0 ms, ${size} PUTs, the CLI's Node flags`);
    try {
      const figures = await session.bare(simulator, size, concurrency, session.cliNodeFlags);
      into.bare = { maxRssMb: figures.maxRssMb, cpuMsPerRow: figures.cpuMsPerRow, rowsPerSecond: figures.rowsPerSecond };
      session.row('memory-limit', `floor: bare got + p-limit (no CSV, no results), the CLI's flags, ${count(size)} PUTs: peak RSS MB (CPU ms/row, rows/s)`, `${fixed(figures.maxRssMb, 0)} (${fixed(figures.cpuMsPerRow, 3)}, ${whole(figures.rowsPerSecond)})`, `<= ${targetMb}`, figures.maxRssMb <= targetMb);
    } catch (error) {
      session.row('memory-limit', 'floor: bare got + p-limit: FAILED', (error as Error).message.split('\n')[0] ?? '');
    }
  }

  async function exportRun(session: BenchSession, records: number, into: Record<string, unknown>): Promise<void> {
    const out = join(session.workDir, 'memory-limit.export.csv');
    const simulator = await startSimulatorProcess({ generatedRecords: records });
    try {
      session.log(`memory-limit: export of ${records} records`);
      const env = { ZUORA_CLIENT_ID: DEMO_CREDENTIALS.clientId, ZUORA_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret };
      const run = await runMeasured(CLI, ['export', '-o', out, '--base-url', simulator.url], { env, nodeFlags: session.cliNodeFlags });
      if (run.exitCode !== 0) throw new Error(`export exited ${run.exitCode ?? run.signal}: ${run.stderrTail}`);
      const written = (await lines(out)) - 1;
      if (written !== records) throw new Error(`export wrote ${written} rows of ${records}`);
      const rss = run.usage?.maxRssMb ?? Number.NaN;
      const cpuMs = run.usage ? run.usage.userMs + run.usage.systemMs : Number.NaN;
      session.log(`memory-limit: export of ${records} records: peak RSS ${fixed(rss, 0)} MB`);
      into.export = { records, maxRssMb: rss, cpuMsPerRecord: cpuMs / records, wallMs: run.wallMs, samples: run.usage?.samples ?? [] };
      session.row('memory-limit', `export of ${count(records)} records: peak RSS MB (CPU ms/record, records/s)`, `${fixed(rss, 0)} (${fixed(cpuMs / records, 3)}, ${whole((records * 1000) / run.wallMs)})`, `<= ${targetMb}`, rss <= targetMb);
    } catch (error) {
      session.row('memory-limit', `export of ${count(records)} records: FAILED`, (error as Error).message.split('\n')[0] ?? '');
    } finally {
      await simulator.close();
      await rm(out, { force: true });
    }
  }
}

/** Line ends in a file, streamed. */
async function lines(path: string): Promise<number> {
  let total = 0;
  for await (const chunk of createReadStream(path)) {
    for (const byte of chunk as Buffer) if (byte === 10) total++;
  }
  return total;
}
