import { DONE_RESULTS, type RowOutcome } from '../row-outcome.js';
import { adviceFor, type ErrorRemedy } from './error-advice.js';

/** Rows not done that share an `error_code`, as the run counts them (the advice is the CLI edge's). */
export interface ErrorCount {
  /**
   * The `error_code` of the results file; for a row without one, its result in capitals (`UNKNOWN`).
   * Rows refused because the usage is already billed are `BILLED` whatever Zuora's code (it answers
   * `INVALID_VALUE` with "has been billed"), since no edit of the file can fix them.
   */
  code: string;
  rows: number;
  /** Rows of the group whose result is `unknown` (the update may or may not have been applied). */
  unknown: number;
  /** Rows of the group whose last answer was a 429 or a 5xx: Zuora busy or over a limit, nothing applied. */
  busy: number;
}

/** Counts the rows not done per `error_code`, as outcomes are recorded. */
export function createErrorTally(): { add(outcome: RowOutcome): void; counts(): ErrorCount[] } {
  const groups = new Map<string, ErrorCount>();
  return {
    add(outcome) {
      if (DONE_RESULTS.has(outcome.result)) return;
      const billed = outcome.errorCode === 'BILLED' || (outcome.result === 'failed' && /\b(has|have|already) (already )?been billed\b/i.test(outcome.errorMessage ?? ''));
      const code = billed ? 'BILLED' : (outcome.errorCode ?? outcome.result.toUpperCase());
      const group = groups.get(code) ?? { code, rows: 0, unknown: 0, busy: 0 };
      group.rows++;
      if (outcome.result === 'failed' && (outcome.httpStatus === 429 || (outcome.httpStatus ?? 0) >= 500)) group.busy++;
      if (outcome.result === 'unknown') group.unknown++;
      groups.set(code, group);
    },
    // Most rows first; the code breaks ties so the order is the same every run.
    counts: () => [...groups.values()].map((group) => ({ ...group })).sort((a, b) => b.rows - a.rows || a.code.localeCompare(b.code)),
  };
}

/** A group with its advice: one line a person can act on. */
export interface ErrorGroup {
  code: string;
  rows: number;
  remedy: ErrorRemedy;
  advice: string;
}

/** The advice for each group, in the context of the run (`--transport`). */
export function adviseErrors(counts: readonly ErrorCount[], context: { transport?: string }): ErrorGroup[] {
  return counts.map((count) => ({ code: count.code, rows: count.rows, ...adviceFor(count, context) }));
}
