/**
 * `npm run bench`: the real CLI, spawned as a user would, against the simulator in a separate process.
 *
 *   npm run bench [-- --runs N] [--only <scenario>[,<scenario>...]] [--long] [--transport put|actions] [--node-flags="<flags>"] [--cpu-prof] [--rows N]
 *
 * Default scenarios: latency-bound, client-bound, rate-limited, memory, peer, transports, look-before, export; `scaling` (concurrency
 * and file-size sweep) and `memory-limit` (every mode at 1,000,000 rows, and in a 128 MiB cgroup) run only when named in --only. Prints one table and writes the same figures as
 * JSON to bench/results/latest.json. Input files are generated in os.tmpdir() and removed at the end.
 * See BENCHMARKS.md for the method. The plan is in plan.ts, each scenario in scenarios/.
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseBenchFlags, USAGE, type BenchFlags } from './flags.js';
import { TARGETS, type Scenario } from './plan.js';
import { clientBound } from './scenarios/client-bound.js';
import { exportScenario } from './scenarios/export.js';
import { latencyBound } from './scenarios/latency-bound.js';
import { lookBefore } from './scenarios/look-before.js';
import { memory } from './scenarios/memory.js';
import { memoryLimit } from './scenarios/memory-limit.js';
import { peer } from './scenarios/peer.js';
import { rateLimited } from './scenarios/rate-limited.js';
import { scaling } from './scenarios/scaling.js';
import { transports } from './scenarios/transports.js';
import { BenchSession, CLI_NODE_FLAGS, RESULTS_DIR } from './session.js';
import { formatTable } from './table.js';

function machine(): { cpu: string; cores: number; memoryGb: number; kernel: string; node: string } {
  const cpu = cpus();
  return { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, memoryGb: Math.round(totalmem() / 2 ** 30), kernel: release(), node: process.version };
}

async function main(): Promise<void> {
  let flags: BenchFlags;
  try {
    flags = parseBenchFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`);
    process.exitCode = 1;
    return;
  }
  const workDir = await mkdtemp(join(tmpdir(), 'zuu-bench-'));
  const bench = new BenchSession(flags, workDir);
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
    if (flags.only.has('transports')) await timed('transports', () => transports(bench));
    if (flags.only.has('look-before')) await timed('look-before', () => lookBefore(bench));
    if (flags.only.has('export')) await timed('export', () => exportScenario(bench));
    if (flags.only.has('scaling')) await timed('scaling', () => scaling(bench));
    if (flags.only.has('memory-limit')) await timed('memory-limit', () => memoryLimit(bench));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  const elapsedSeconds = Math.round((Date.now() - started) / 1000);
  const info = machine();
  const runs = [...flags.only].map((name) => `${name} ${bench.runsOf(name)}`).join(', ');
  process.stdout.write(
    `\n${formatTable(bench.table)}\n\n` +
      `${info.cpu}, ${info.cores} cores, ${info.memoryGb} GB, Linux ${info.kernel}, Node ${info.node}\n` +
      `CLI: node ${[...bench.cliNodeFlags, 'dist/src/cli.js'].join(' ')} <file> --base-url <simulator> -c N; bare baseline: the same flags in client-bound, plain node elsewhere; simulator: plain node\n` +
      `runs per figure: ${runs}; ${elapsedSeconds} s in all (${Object.entries(seconds).map(([name, s]) => `${name} ${s} s`).join(', ')})\n`,
  );
  await mkdir(RESULTS_DIR, { recursive: true });
  const report = {
    date: new Date(started).toISOString(),
    machine: info,
    flags: { rows: flags.rows ?? null, runs: flags.runs ?? null, only: [...flags.only], long: flags.long, transports: [...flags.transports], cpuProf: flags.cpuProf, nodeFlags: flags.nodeFlags ?? null },
    cliNodeFlags: bench.cliNodeFlags,
    shebangNodeFlags: CLI_NODE_FLAGS,
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
