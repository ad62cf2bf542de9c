/**
 * client-bound: the simulator answers at once, so the client's own CPU sets the pace. The CLI against
 * the bare got + p-limit baseline (interleaved runs) and against the curl peer's figure.
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PLAN, TARGETS } from '../plan.js';
import { RESULTS_DIR, type BenchSession, type RunFigures } from '../session.js';
import { startSimulatorProcess } from '../simulator-client.js';
import { brief, median, medianOf } from '../statistics.js';
import { count, fixed, spread, whole } from '../table.js';

export async function clientBound(bench: BenchSession, curlRate: number | undefined): Promise<void> {
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
        // Under the CLI's Node flags (the shebang's, or --node-flags): the ratio compares the code, not the flags.
        else bare.push(await bench.bare(simulator, rows, concurrency, bench.cliNodeFlags));
      }
    }
    if (bench.flags.cpuProf) {
      const dir = join(RESULTS_DIR, 'profiles');
      await mkdir(dir, { recursive: true });
      bench.log(`client-bound: one more CLI run with --cpu-prof into ${dir} (not counted)`);
      await bench.cli(simulator, rows, concurrency, { nodeFlags: ['--cpu-prof', '--cpu-prof-dir', dir] });
      bench.log(`client-bound: one more bare run with --cpu-prof into ${dir} (not counted)`);
      await bench.bare(simulator, rows, concurrency, [...bench.cliNodeFlags, '--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `bare-${Date.now()}.cpuprofile`]);
      bench.log(`summarise them with: node dist/bench/profile-summary.js ${dir}/<file>.cpuprofile (the bare one is bare-*.cpuprofile)`);
    }
  } finally {
    await simulator.close();
  }
  const rate = medianOf(cli, 'rowsPerSecond');
  const bareRate = medianOf(bare, 'rowsPerSecond');
  // Each run's CLI is compared with the bare run next to it: drifts of a shared machine cancel out.
  const vsBare = median(cli.map((run, i) => run.rowsPerSecond / (bare[i]?.rowsPerSecond ?? Number.NaN)));
  // Like the rate, CPU per row is compared run by run: each CLI run with the bare run next to it.
  const cpuVsBare = median(cli.map((run, i) => run.cpuMsPerRow / (bare[i]?.cpuMsPerRow ?? Number.NaN)));
  const vsCurl = curlRate === undefined ? undefined : rate / curlRate;
  bench.json['client-bound'] = {
    cli: { medianRowsPerSecond: rate, medianCpuMsPerRow: medianOf(cli, 'cpuMsPerRow'), runs: brief(cli) },
    bare: { medianRowsPerSecond: bareRate, medianCpuMsPerRow: medianOf(bare, 'cpuMsPerRow'), runs: brief(bare) },
    ratioToBare: vsBare,
    cpuRatioToBare: cpuVsBare,
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
  bench.row('client-bound', 'CPU per row, CLI / bare (median of the per-run ratios)', fixed(cpuVsBare, 3), `<= ${TARGETS.clientCpuVsBare}`, cpuVsBare <= TARGETS.clientCpuVsBare);
  bench.row('client-bound', 'simulator CPU ms per row (separate process, same cores)', fixed(medianOf(cli, 'simulatorCpuMsPerRow'), 3));
  bench.row('client-bound', 'peak RSS MB: CLI / bare', `${fixed(medianOf(cli, 'maxRssMb'), 0)} / ${fixed(medianOf(bare, 'maxRssMb'), 0)}`);
}
