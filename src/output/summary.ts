import type { QuantityTotals } from '../report/quantity-totals.js';
import type { ResultCounts } from '../row-outcome.js';
import type { ErrorCount, ErrorGroup } from './error-groups.js';

/** How a run ended, as `run()` returns it: facts only, no advice. */
export interface RunSummary {
  /** `completed`: every record read and answered; `stopped`: ended early (exit 3); `interrupted`: SIGINT/SIGTERM. */
  status: 'completed' | 'stopped' | 'interrupted';
  /** Why the run stopped early, in the user's words. */
  stopReason?: string;
  /** Why the run stopped early, for the advice in the next step. */
  stopKind?: StopKind;
  exitCode: number;
  dryRun: boolean;
  /** Records with an outcome, per result. Records never reached (stopped early) are in `notReached`. */
  counts: ResultCounts;
  /** Records with an outcome in the results file. */
  rows: number;
  /** Input records never processed (no outcome) because the run stopped early or was interrupted. */
  notReached: number;
  /** `--resume`: rows recorded `updated` by an earlier run with unchanged cells, not sent again. */
  keptFromEarlierRun: number;
  /** HTTP requests sent for rows (attempts), and how many of them were retries. */
  requests: number;
  retries: number;
  /** OAuth token requests. */
  tokenRequests: number;
  /** Read requests (`POST /v1/action/query` and `queryMore`, retries included) of `--preview`, `--backup` and `--verify`; absent in a dry run. */
  readRequests?: number;
  /** `--preview`: the sum over `would-update` rows of new minus old quantity, as a plain decimal. */
  quantityChange?: string;
  /** `--preview`: old and new quantity totals per unit of measure (never added across units) and per account. */
  quantities?: QuantityTotals;
  /** Pauses Zuora asked for (429 Retry-After, RateLimit-Remaining 0) and the time they covered; absent in a dry run. */
  pauses?: { count: number; ms: number };
  /** `--verify`: rows read back and found as sent, found otherwise (VERIFY_MISMATCH), not read back (NOT_VERIFIED), `unknown` rows found applied, and `updated` rows left with no field to compare (later rows of their Id set them all). */
  verify?: { verified: number; mismatches: number; notVerified: number; verifiedAfterUnknown: number; notCompared: number };
  /** Ids in doubt (SPEC "An Id in doubt"), and with `--settle` those read back as held (`settled`) and sent again (`resent`). Absent in a dry run and a preview. */
  inDoubt?: { ids: number; settled: number; resent: number };
  /** `--backup`: the file, and the Ids it holds now. */
  backup?: { path: string; ids: number };
  /** Rows refused (`invalid`, never sent) because their Quantity is exactly 1000 × Zuora's (QUANTITY_TIMES_1000); only in runs that read records first. */
  quantityTimes1000?: number;
  /** Warnings about the input file, each written once. */
  warnings?: string[];
  /** A run that read nothing, on a file with signs of a decimal-comma spreadsheet: the signs, in words (the next step suggests a preview first). */
  decimalCommaSigns?: string;
  /** `--preview`: the run only read, and changed nothing. */
  preview?: boolean;
  elapsedMs: number;
  rowsPerSecond: number;
  input: string;
  out: string;
  failures: string;
  /** Rows written to the failures file. */
  failuresRows: number;
  /** Rows not done per error_code, most rows first. */
  errorCounts?: ErrorCount[];
  /** The run stopped before writing any file (Zuora unreachable for the first token): no results, no failures file. */
  nothingWritten?: boolean;
  /** The error that stopped the run before its first row (`ZUORA_UNREACHABLE`). */
  error?: { code: string; message: string };
  trackPrefix: string;
}

/** How the run ended, for people (stderr) and machines (`--summary-json`). */
export interface Summary extends RunSummary {
  /** Rows not done per error_code, with one line of advice each (error-groups.ts). */
  errors?: ErrorGroup[];
  /** What to do now, as a sentence with the exact command when there is one. */
  nextStep: string;
}

/** Why a run stopped early, for the advice in the next step. */
export type StopKind = 'credentials' | 'unreachable' | 'max-failures' | 'output';

