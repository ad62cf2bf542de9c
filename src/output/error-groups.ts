import { DONE_RESULTS, type RowOutcome } from '../row-outcome.js';

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
}

/** Counts the rows not done per `error_code`, as outcomes are recorded. */
export function createErrorTally(): { add(outcome: RowOutcome): void; counts(): ErrorCount[] } {
  const groups = new Map<string, ErrorCount>();
  return {
    add(outcome) {
      if (DONE_RESULTS.has(outcome.result)) return;
      const billed = outcome.errorCode === 'BILLED' || (outcome.result === 'failed' && /\b(has|have|already) (already )?been billed\b/i.test(outcome.errorMessage ?? ''));
      const code = billed ? 'BILLED' : (outcome.errorCode ?? outcome.result.toUpperCase());
      const group = groups.get(code) ?? { code, rows: 0, unknown: 0 };
      group.rows++;
      if (outcome.result === 'unknown') group.unknown++;
      groups.set(code, group);
    },
    // Most rows first; the code breaks ties so the order is the same every run.
    counts: () => [...groups.values()].map((group) => ({ ...group })).sort((a, b) => b.rows - a.rows || a.code.localeCompare(b.code)),
  };
}

/** What the rows of a group need, for the next step. */
export type ErrorRemedy =
  /** A cell of the file is wrong: fix it, then send the failures file. */
  | 'fix-cells'
  /** Nothing wrong with the row: send it again as it is (safe: updates are absolute values). */
  | 'send-again'
  /** Zuora does not take Usage through Actions: send the rows one PUT a row. */
  | 'use-put'
  /** Editing the file cannot fix it (billed usage, a value Zuora acknowledged but does not hold). */
  | 'not-in-file'
  /** The setup is wrong (credentials, target), not the rows. */
  | 'fix-setup';

/** A group with its advice: one line a person can act on. */
export interface ErrorGroup {
  code: string;
  rows: number;
  remedy: ErrorRemedy;
  advice: string;
}

/** Codes of rows that were not applied but may be sent again as they are. */
const SEND_AGAIN = new Set([
  'LOCK_COMPETITION',
  'TEMPORARY_ERROR',
  'SERVER_UNAVAILABLE',
  'REQUEST_EXCEEDED_LIMIT',
  'REQUEST_EXCEEDED_RATE',
  'ZUORA_UNREACHABLE',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'NOT_SENT',
  'NOT_READ',
  'INPUT_CHANGED',
]);

/** The advice for each group, in the context of the run (`--transport`). */
export function adviseErrors(counts: readonly ErrorCount[], context: { transport?: string }): ErrorGroup[] {
  return counts.map((count) => ({ code: count.code, rows: count.rows, ...advice(count, context) }));
}

function advice(count: ErrorCount, context: { transport?: string }): { remedy: ErrorRemedy; advice: string } {
  const { code } = count;
  if (code === 'BILLED') {
    return {
      remedy: 'not-in-file',
      advice:
        'the usage is already billed (Zuora refuses it, error_code INVALID_VALUE): editing the file will not help; cancel the bill run (or the invoice) so the usage is Pending again, or upload offsetting usage',
    };
  }
  if (code === 'VERIFY_MISMATCH') {
    return {
      remedy: 'not-in-file',
      advice:
        'Zuora answered success but holds other values when read back: the cells are not the problem; compare error_message with the record in Zuora (a field Zuora ignores, a workflow changing it) before sending again',
    };
  }
  if (code === 'INVALID_TYPE' && context.transport === 'actions') {
    return { remedy: 'use-put', advice: 'this tenant does not take Usage through Actions: send these rows with --transport put' };
  }
  if (code === 'AUTH_FAILED') return { remedy: 'fix-setup', advice: 'the credentials were refused: fix them, then send these rows again' };
  if (code === 'UNEXPECTED_ANSWER') {
    return { remedy: 'fix-setup', advice: "a 2xx answer that is not Zuora's (a proxy page, a wrong --base-url): check the target; sending again is safe" };
  }
  if (count.unknown === count.rows) {
    return { remedy: 'send-again', advice: 'no answer: the update may or may not have been applied; sending it again is safe' };
  }
  if (SEND_AGAIN.has(code)) return { remedy: 'send-again', advice: 'not applied (Zuora busy, a limit, or not reached): send these rows again as they are' };
  if (code === 'NOT_FOUND' || code === 'INVALID_ID') {
    return { remedy: 'fix-cells', advice: 'no usage record with this Id in this tenant: check the Id cell, and --env/--entity-ids' };
  }
  if (code === 'INVALID_ROW' || code === 'MALFORMED_RECORD') return { remedy: 'fix-cells', advice: 'never sent: fix the cell error_message names' };
  return { remedy: 'fix-cells', advice: 'Zuora refused the row: fix the cell error_message names' };
}
