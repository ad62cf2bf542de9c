/**
 * look-before: what looking before leaping costs (issue 10). A `--preview` of 20,000 rows at 50 ms a
 * request (read requests per row, rows/s), and `--backup --verify` against a plain run of the same rows
 * under the same tenant rate limit, alternated, each run against a fresh simulator (a fresh rate window).
 */

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PreviewResult } from '../../src/row-outcome.js';
import { PLAN, TARGETS } from '../plan.js';
import type { BenchSession, RunFigures } from '../session.js';
import { startSimulatorProcess } from '../simulator-client.js';
import { brief, median, medianOf } from '../statistics.js';
import { count, fixed, spread, whole } from '../table.js';

/** What a preview may find for a row: each of them is a row looked at, none is a failure of the run. */
export const PREVIEW_RESULTS: PreviewResult[] = ['would-update', 'unchanged', 'blocked', 'not-found'];


export async function lookBefore(bench: BenchSession): Promise<void> {
  const { preview: previewPlan, careful: carefulPlan } = PLAN.lookBefore;
  const runs = bench.runsOf('look-before');
  const result: Record<string, unknown> = {};

  const previewRuns: RunFigures[] = [];
  for (let i = 0; i < runs; i++) {
    const simulator = await startSimulatorProcess({ latencyMs: previewPlan.latencyMs });
    try {
      bench.log(`look-before: --preview, -c ${previewPlan.concurrency}, ${previewPlan.latencyMs} ms, ${previewPlan.rows} rows, run ${i + 1}/${runs}`);
      previewRuns.push(await bench.cli(simulator, previewPlan.rows, previewPlan.concurrency, { args: ['--preview'], done: PREVIEW_RESULTS }));
    } finally {
      await simulator.close();
    }
  }
  // A preview sends no update: every request the simulator saw but the token is a read.
  const previewReads = median(previewRuns.map((run) => (run.requests - run.tokens) / run.rows));
  result.preview = { ...previewPlan, medianRowsPerSecond: medianOf(previewRuns, 'rowsPerSecond'), medianReadRequestsPerRow: previewReads, runs: brief(previewRuns) };
  const previewLabel = `--preview, ${previewPlan.latencyMs} ms, -c ${previewPlan.concurrency}, ${count(previewPlan.rows)} rows`;
  bench.row(
    'look-before',
    `${previewLabel}: read requests per row (${previewRuns.map((run) => count(run.requests - run.tokens)).join(', ')} reads)`,
    fixed(previewReads, 5),
    `<= ${fixed(TARGETS.readRequestsPerRow, 5)} (1 / 190)`,
    previewReads <= TARGETS.readRequestsPerRow,
  );
  bench.row('look-before', `${previewLabel}: rows/s, CPU ms per row, peak RSS MB${spread(previewRuns)}`, `${whole(medianOf(previewRuns, 'rowsPerSecond'))}, ${fixed(medianOf(previewRuns, 'cpuMsPerRow'), 3)}, ${fixed(medianOf(previewRuns, 'maxRssMb'), 0)}`);

  const { rows, perSecond, latencyMs, concurrency } = carefulPlan;
  const plain: RunFigures[] = [];
  const careful: RunFigures[] = [];
  const backup = join(bench.workDir, 'careful.backup.csv');
  for (let i = 0; i < runs; i++) {
    // Alternate which goes first, so that neither always runs right after the other.
    const order = i % 2 === 0 ? (['plain', 'careful'] as const) : (['careful', 'plain'] as const);
    for (const which of order) {
      const simulator = await startSimulatorProcess({ latencyMs, rateLimit: { perSecond } });
      try {
        bench.log(`look-before: ${which === 'plain' ? 'plain' : '--backup --verify'}, ${perSecond} req/s, -c ${concurrency}, ${latencyMs} ms, ${rows} rows, run ${i + 1}/${runs}`);
        if (which === 'plain') plain.push(await bench.cli(simulator, rows, concurrency));
        else careful.push(await bench.cli(simulator, rows, concurrency, { args: ['--backup', backup, '--verify'] }));
      } finally {
        await simulator.close();
        // The CLI refuses a --backup file that is not empty (it may be the only copy of earlier values).
        await rm(backup, { force: true });
      }
    }
  }
  const plainRate = medianOf(plain, 'rowsPerSecond');
  const carefulRate = medianOf(careful, 'rowsPerSecond');
  const ratio = carefulRate / plainRate;
  // The CLI's own count: the simulator's would mix the reads with PUTs sent again after a 429.
  const carefulReads = median(careful.map((run) => (run.readRequests ?? Number.NaN) / run.rows));
  result.careful = {
    ...carefulPlan,
    plain: { medianRowsPerSecond: plainRate, runs: brief(plain) },
    backupVerify: { medianRowsPerSecond: carefulRate, medianReadRequestsPerRow: carefulReads, runs: brief(careful) },
    ratio,
  };
  const label = `${perSecond} req/s limit, ${latencyMs} ms, -c ${concurrency}, ${count(rows)} rows`;
  const rejected = (figures: RunFigures[]): string => figures.map((run) => `${run.rateLimited} of ${count(run.requests)}`).join(', ');
  bench.row('look-before', `${label}: plain rows/s (429s: ${rejected(plain)})${spread(plain)}`, whole(plainRate));
  bench.row('look-before', `${label}: --backup --verify rows/s (429s: ${rejected(careful)})${spread(careful)}`, whole(carefulRate));
  bench.row('look-before', '--backup --verify: read requests per row (backup and verify reads)', fixed(carefulReads, 5));
  bench.row('look-before', 'rows/s: --backup --verify / plain (medians of this run)', fixed(ratio, 3), `>= ${TARGETS.carefulVsPlain}`, ratio >= TARGETS.carefulVsPlain);
  bench.json['look-before'] = result;
}
