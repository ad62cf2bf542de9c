/**
 * rate-limited: the tenant allows 100 requests per second. The CLI's rows per second as a share of the
 * limit (it should come close and never exceed it), and the share of requests answered 429.
 */

import { PLAN, TARGETS } from '../plan.js';
import type { BenchSession, RunFigures } from '../session.js';
import { startSimulatorProcess } from '../simulator-client.js';
import { brief, median, medianOf } from '../statistics.js';
import { count, fixed, percent, spread, whole } from '../table.js';

export async function rateLimited(bench: BenchSession): Promise<void> {
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
  bench.row(
    'rate-limited',
    `${label}: rows/s, share of the limit${spread(runs)}`,
    `${whole(rate)} = ${fixed(share, 3)}`,
    `${TARGETS.rateShare} to ${TARGETS.rateShareCeiling}`,
    share >= TARGETS.rateShare && share <= TARGETS.rateShareCeiling,
  );
  bench.row(
    'rate-limited',
    `requests answered 429 (${runs.map((run) => `${run.rateLimited} of ${run.requests}`).join(', ')})`,
    percent(share429),
    `<= ${percent(TARGETS.rateLimitedShare)}`,
    share429 <= TARGETS.rateLimitedShare,
  );
}
