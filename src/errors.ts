/**
 * Run failures: things that stop the whole run (as opposed to row failures, which are data in the
 * results). Each has a stable `code`; the CLI edge maps them to exit codes.
 */

export type RunErrorCode =
  | 'BAD_OPTION' // an option value or combination is unusable
  | 'INPUT_UNREADABLE' // the input file cannot be opened or read
  | 'UNKNOWN_COLUMN' // a header names a column this tool does not know
  | 'MISSING_COLUMN' // the required Id column is absent
  | 'DUPLICATE_COLUMN' // two columns map to the same Zuora field
  | 'EMPTY_INPUT' // no header row at all
  | 'AUTH_FAILED' // credentials refused before any row was sent
  | 'ZUORA_UNREACHABLE' // Zuora (token endpoint or API) did not answer usefully after every retry
  | 'AUTH_REFUSED_MID_RUN' // a fresh or static token was refused after rows were sent
  | 'MAX_FAILURES' // --max-failures reached
  | 'OUTPUT_UNWRITABLE' // results, failures or summary file cannot be written
  | 'INTERRUPTED'; // SIGINT/SIGTERM before the first row was sent

export class RunError extends Error {
  override readonly name = 'RunError';
  readonly code: RunErrorCode;

  constructor(code: RunErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Exit codes of the CLI (SPEC "Exit codes"). */
export const EXIT = {
  ok: 0,
  couldNotStart: 1,
  someRowsNotUpdated: 2,
  stoppedEarly: 3,
  interrupted: 130,
} as const;
