/**
 * transports: `--transport actions` (POST /v1/action/update, 50 rows a call) against `--transport put`
 * (one PUT a row) on the same rows, side by side in one run, against a Zuora-like simulator: 300 ms a
 * request and the tenant's limit of 40 requests in flight, `-c 40` for both. Rows/s and their ratio,
 * requests per row, CPU ms per row, peak RSS, and the limit's 429s.
 */

import { PLAN, TARGETS, type Transport } from '../plan.js';
import type { BenchSession, RunFigures } from '../session.js';
import { startSimulatorProcess } from '../simulator-client.js';
import { brief, median, medianOf } from '../statistics.js';
import { count, fixed, spread, whole } from '../table.js';

/** Update requests per row: what the simulator received, token requests left out. */
const requestsPerRow = (run: RunFigures): number => (run.requests - run.tokens) / run.rows;

export async function transports(bench: BenchSession): Promise<void> {
  const { rows, latencyMs, concurrencyLimit, concurrency, batchSize, actionsRunsPerPutRun } = PLAN.transports;
  const runs = bench.runsOf('transports');
  const byTransport: Record<Transport, RunFigures[]> = { put: [], actions: [] };
  const maxInFlight: Record<Transport, number[]> = { put: [], actions: [] };
  const measure = async (transport: Transport, label: string): Promise<void> => {
    // A fresh simulator each run: its in-flight peak is this run's, and no run inherits another's slots.
    const simulator = await startSimulatorProcess({ latencyMs, concurrencyLimit });
    try {
      bench.log(`transports: --transport ${transport}, -c ${concurrency}, ${latencyMs} ms, limit ${concurrencyLimit}, ${rows} rows, ${label}`);
      const args = transport === 'actions' ? ['--transport', 'actions', '--batch-size', String(batchSize)] : ['--transport', 'put'];
      byTransport[transport].push(await bench.cli(simulator, rows, concurrency, { args }));
      maxInFlight[transport].push((await simulator.stats()).maxInFlight);
    } finally {
      await simulator.close();
    }
  };
  await bench.input(rows);
  for (let i = 0; i < runs; i++) {
    if (bench.flags.transports.has('put')) await measure('put', `run ${i + 1}/${runs}`);
    if (bench.flags.transports.has('actions')) {
      for (let j = 0; j < actionsRunsPerPutRun; j++) await measure('actions', `run ${i * actionsRunsPerPutRun + j + 1}/${runs * actionsRunsPerPutRun}`);
    }
  }
  const { put, actions } = byTransport;
  const label = `${latencyMs} ms, limit ${concurrencyLimit} in flight, -c ${concurrency}, ${count(rows)} rows`;
  const result: Record<string, unknown> = { rows, latencyMs, concurrencyLimit, concurrency, batchSize };
  for (const transport of ['put', 'actions'] as const) {
    const figures = byTransport[transport];
    if (figures.length === 0) continue;
    const perRow = median(figures.map(requestsPerRow));
    result[transport] = {
      medianRowsPerSecond: medianOf(figures, 'rowsPerSecond'),
      medianRequestsPerRow: perRow,
      medianCpuMsPerRow: medianOf(figures, 'cpuMsPerRow'),
      medianMaxRssMb: medianOf(figures, 'maxRssMb'),
      simulatorMaxInFlight: maxInFlight[transport],
      runs: brief(figures),
    };
    bench.row('transports', `--transport ${transport}, ${label}: rows/s${spread(figures)}`, whole(medianOf(figures, 'rowsPerSecond')));
    const requests = figures.map((run) => count(run.requests - run.tokens)).join(', ');
    const isActions = transport === 'actions';
    bench.row(
      'transports',
      `--transport ${transport}: requests per row (${requests} requests, tokens left out)`,
      fixed(perRow, 4),
      isActions ? `<= ${fixed(TARGETS.actionsRequestsPerRow, 4)} (1.05 / ${batchSize})` : '',
      isActions ? perRow <= TARGETS.actionsRequestsPerRow : undefined,
    );
    bench.row(
      'transports',
      `--transport ${transport}: CPU ms per row, peak RSS MB, 429s (concurrency limit), most in flight at the simulator`,
      `${fixed(medianOf(figures, 'cpuMsPerRow'), 3)}, ${fixed(medianOf(figures, 'maxRssMb'), 0)}, ${figures.map((run) => run.concurrencyLimited).join('/')}, ${maxInFlight[transport].join('/')}`,
    );
  }
  if (put.length > 0 && actions.length > 0) {
    // Medians of the same bench run: the ratio is only compared within one run on a shared machine.
    const ratio = medianOf(actions, 'rowsPerSecond') / medianOf(put, 'rowsPerSecond');
    result.actionsOverPutRowsPerSecond = ratio;
    bench.row('transports', 'rows/s: actions / put (medians of this run)', `${fixed(ratio, 1)} x`, `>= ${TARGETS.actionsVsPut} x`, ratio >= TARGETS.actionsVsPut);
  }
  bench.json.transports = result;
}
