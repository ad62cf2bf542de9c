import { EXIT } from '../errors.js';
import { DONE_RESULTS, type ResultCounts, type RowResult } from '../row-outcome.js';
import type { RunSummary } from './summary.js';

/** The exit code of a finished run (EXIT in errors.ts). */
export function exitCodeFor(status: RunSummary['status'], counts: ResultCounts): number {
  if (status === 'interrupted') return EXIT.interrupted;
  if (status === 'stopped') return EXIT.stoppedEarly;
  return Object.entries(counts).some(([result, n]) => n > 0 && !DONE_RESULTS.has(result as RowResult)) ? EXIT.someRowsNotUpdated : EXIT.ok;
}
