import { PLAN } from '../plan.js';
import type { BenchSession, RunFigures } from '../session.js';
import { startSimulatorProcess, type SimulatorProcess } from '../simulator-client.js';
import { medianOf } from '../statistics.js';
import { count, fixed, whole } from '../table.js';

/** How the figures move with concurrency and file size (opt-in: `--only scaling`). */
export async function scaling(bench: BenchSession): Promise<void> {
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
