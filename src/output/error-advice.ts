/**
 * The one table of advice per `error_code`: what the rows of a code need (for the next step) and one
 * line a person can act on. The summary shows the line after the code (`BILLED 3: the usage is ...`),
 * the HTML report as a sentence beside each group of failures. Codes Zuora invents are many; those not
 * listed get advice by what happened to their rows.
 */

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

/** The advice for one code: lower case, no final period, so it reads after `CODE rows:` and inside a sentence. */
export interface ErrorAdvice {
  remedy: ErrorRemedy;
  advice: string;
}

/** Rows of one code, as far as the advice needs them. */
export interface AdvisedRows {
  code: string;
  rows: number;
  /** Rows whose result is `unknown`. */
  unknown: number;
  /** Rows whose last answer was a 429 or a 5xx. */
  busy: number;
  /** Rows whose result is `invalid` (never sent), when known. */
  invalid?: number;
}

const NOT_APPLIED: ErrorAdvice = { remedy: 'send-again', advice: 'not applied (Zuora busy, a limit, or not reached): send these rows again as they are' };
const NEVER_SENT: ErrorAdvice = { remedy: 'fix-cells', advice: 'never sent: fix the cell error_message names' };
const NO_SUCH_ID: ErrorAdvice = {
  remedy: 'fix-cells',
  advice: 'Zuora has no usage record with this Id (wrong tenant or entity, or a deleted record): check the Id cell, and --env/--entity-ids',
};
const RATE_LIMIT: ErrorAdvice = {
  remedy: 'send-again',
  advice: "Zuora's rate limit was hit after every retry: not applied; send these rows again later, or with a lower --concurrency",
};

/**
 * Advice per code. Entries whose remedy is not `fix-cells` hold whatever the rows' result; a
 * `fix-cells` entry gives way when every row of the code is unknown or busy (the cells were not what
 * Zuora refused).
 */
const ADVICE: Readonly<Record<string, ErrorAdvice>> = {
  BILLED: {
    remedy: 'not-in-file',
    advice:
      'the usage is already billed (Zuora refuses it, error_code INVALID_VALUE): editing the file will not help; cancel the bill run (or the invoice) so the usage is Pending again, or upload offsetting usage',
  },
  VERIFY_MISMATCH: {
    remedy: 'not-in-file',
    advice:
      'Zuora answered success but holds other values when read back: the cells are not the problem; compare error_message with the record in Zuora (a field Zuora ignores, a workflow changing it) before sending again',
  },
  AUTH_FAILED: { remedy: 'fix-setup', advice: 'the credentials were refused: fix them (ZUORA_CLIENT_ID/ZUORA_CLIENT_SECRET or ZUORA_ACCESS_TOKEN), then send these rows again' },
  UNEXPECTED_ANSWER: { remedy: 'fix-setup', advice: "a 2xx answer that is not Zuora's (a proxy page, a wrong --base-url): check the target; sending again is safe" },
  BACKUP_UNWRITABLE: { remedy: 'fix-setup', advice: 'the backup could not be written, so nothing was sent: make room or choose another --backup, then --resume' },
  LOCK_COMPETITION: NOT_APPLIED,
  ZUORA_UNREACHABLE: NOT_APPLIED,
  ECONNREFUSED: NOT_APPLIED,
  ENOTFOUND: NOT_APPLIED,
  EAI_AGAIN: NOT_APPLIED,
  NOT_SENT: NOT_APPLIED,
  REQUEST_EXCEEDED_LIMIT: RATE_LIMIT,
  REQUEST_EXCEEDED_RATE: RATE_LIMIT,
  TEMPORARY_ERROR: { remedy: 'send-again', advice: 'Zuora was busy after every retry: not applied; send these rows again later' },
  SERVER_UNAVAILABLE: { remedy: 'send-again', advice: 'Zuora was unavailable after every retry: not applied; send these rows again later' },
  NOT_READ: { remedy: 'send-again', advice: 'the run stopped before the record was read: preview again' },
  INPUT_CHANGED: { remedy: 'send-again', advice: 'the input file changed during the run: run again on the saved file' },
  ETIMEDOUT: { remedy: 'send-again', advice: 'no answer in time: the update may or may not have been applied; sending it again is safe, or raise --timeout' },
  ABANDONED: { remedy: 'send-again', advice: 'no answer before the run stopped: the update may or may not have been applied; sending it again is safe' },
  EARLIER_ATTEMPT_IN_DOUBT: {
    remedy: 'send-again',
    advice: 'an earlier request of this Id got no answer and may still be applied after this row: send it again once that request is over 120 s old, or run with --settle',
  },
  NOT_VERIFIED: { remedy: 'send-again', advice: 'the update was answered success but could not be read back: check it with --preview' },
  INVALID_ROW: NEVER_SENT,
  MALFORMED_RECORD: NEVER_SENT,
  QUANTITY_TIMES_1000: {
    remedy: 'fix-cells',
    advice:
      "the quantity is exactly 1000 × Zuora's: a spreadsheet read the decimal point as a thousands separator; re-export with --decimal-comma or format the column as text before saving; pass --allow-times-1000 only if the value is meant",
  },
  NOT_FOUND: NO_SUCH_ID,
  INVALID_ID: NO_SUCH_ID,
  INVALID_VALUE: { remedy: 'fix-cells', advice: 'Zuora refused a value: fix the cell error_message names' },
  INVALID_FIELD: { remedy: 'fix-cells', advice: 'Zuora does not know a column: check the header (custom fields end in __c) or drop the column' },
  MISSING_REQUIRED_VALUE: { remedy: 'fix-cells', advice: 'a required value is empty: fill the cell error_message names' },
};

/** Actions refusing the Usage object: only with `--transport actions` does `--transport put` help. */
const ACTIONS_REFUSE_USAGE: ErrorAdvice = { remedy: 'use-put', advice: 'this tenant does not take Usage through Actions: send these rows with --transport put' };
const NO_ANSWER: ErrorAdvice = { remedy: 'send-again', advice: 'no answer: the update may or may not have been applied; sending it again is safe' };
const BUSY: ErrorAdvice = {
  remedy: 'send-again',
  advice: 'Zuora was busy or over a limit (HTTP 429 or 5xx) until the row gave up: not applied; send it again as it is',
};
const REFUSED: ErrorAdvice = { remedy: 'fix-cells', advice: 'Zuora refused the row: fix the cell error_message names' };

/** The advice for the rows of one code, in the context of the run (`--transport`). */
export function adviceFor(rows: AdvisedRows, context: { transport?: string }): ErrorAdvice {
  const known = rows.code === 'INVALID_TYPE' && context.transport === 'actions' ? ACTIONS_REFUSE_USAGE : ADVICE[rows.code];
  if (known !== undefined && known.remedy !== 'fix-cells') return known;
  if (rows.unknown === rows.rows) return NO_ANSWER;
  if (rows.busy === rows.rows) return BUSY;
  return known ?? (rows.invalid === rows.rows ? NEVER_SENT : REFUSED);
}

/** The advice as a sentence of its own (the report's). */
export function adviceSentence(advice: ErrorAdvice): string {
  return `${advice.advice.charAt(0).toUpperCase()}${advice.advice.slice(1)}.`;
}
