/**
 * latency-bound: the simulator answers after 50 ms, so no client can beat C / L rows per second. How
 * close does the CLI get, at two concurrencies, and what does one round trip really cost here?
 */

import { PLAN, TARGETS } from '../plan.js';
import type { BenchSession, RunFigures } from '../session.js';
import { startSimulatorProcess } from '../simulator-client.js';
import { brief, medianOf } from '../statistics.js';
import { count, fixed, spread, whole } from '../table.js';

export async function latencyBound(bench: BenchSession): Promise<void> {
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
