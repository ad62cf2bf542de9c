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
  | 'RESULTS_LOCKED' // another run holds the lock of the results file
  | 'UNFINISHED_RESULTS' // --out holds an unfinished run's results, and neither --resume nor --overwrite was given
  | 'INTERRUPTED'; // SIGINT/SIGTERM before the first row was sent

export class RunError extends Error {
  override readonly name = 'RunError';
  readonly code: RunErrorCode;

  constructor(code: RunErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Exit codes of the CLI (SPEC "Exit codes"): the one table the summary, `--help` and the tests use. */
export const EXIT = {
  ok: 0,
  couldNotStart: 1,
  someRowsNotUpdated: 2,
  stoppedEarly: 3,
  interrupted: 130,
} as const;

/** What each exit code means, in the words `--help` shows. */
export const EXIT_MEANINGS: Readonly<Record<keyof typeof EXIT, string>> = {
  ok: 'every row updated (or valid, with --dry-run)',
  couldNotStart: 'could not start; nothing was sent',
  someRowsNotUpdated: 'finished, but some rows are failed, unknown or invalid: see the failures file',
  stoppedEarly: 'stopped early; run again with --resume',
  interrupted: 'interrupted (SIGINT/SIGTERM); run again with --resume',
};
