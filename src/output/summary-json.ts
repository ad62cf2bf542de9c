import { urlWithoutSecrets } from '../config/mask-secrets.js';
import type { RunOptions } from '../options.js';
import type { AccountTotal, QuantityTotal } from '../report/quantity-totals.js';
import type { ResultCounts } from '../row-outcome.js';
import type { StopKind, Summary } from './summary.js';

/**
 * The `--summary-json` document, schema 1: what a monitor reads the morning after. Every key is
 * always present (null when it does not apply), so a consumer never needs to tell "missing" from
 * "none". Adding keys keeps `schema: 1`; renaming or removing one, or changing a meaning, raises it.
 * The comments below document each key (README.md does not list them yet).
 */
export interface SummaryJsonV1 {
  schema: 1;
  tool: 'zuora-usage-update';
  version: string;
  /** `running` while the run goes on (written first), then how it ended; `not-started` for exit 1. */
  status: 'running' | 'completed' | 'stopped' | 'interrupted' | 'not-started';
  /** The process exit code; null while running. */
  exitCode: number | null;
  dryRun: boolean | null;
  input: string | null;
  /** Where the run sends, without credentials, user info or query. */
  target: SummaryTarget | null;
  trackPrefix: string | null;
  /** Records per result; records never reached (stopped early, interrupted) are in none. A preview adds its results (`would-update`, ...). */
  counts: ResultCounts;
  /** Input records never processed (no outcome) because the run stopped early or was interrupted. */
  notReached: number;
  /** Records with an outcome in the results file. */
  rows: number;
  /** `--resume`: records already updated by an earlier run, not sent again. */
  keptFromEarlierRun: number;
  /** HTTP requests by kind: row updates (every attempt), reads of current records, OAuth tokens. */
  requests: { updates: number; reads: number; tokens: number; total: number };
  /** Update requests that were retries of an earlier attempt. */
  retries: number;
  /**
   * `--preview`: the total quantity change over the `would-update` rows, as a plain decimal (adds all
   * units together: kept for older readers), then per unit of measure (`byUom`: old and new totals of
   * the records read, and the change) and per account in each unit (`byAccount`: the 20 with the
   * largest change, the rest one entry per unit); null for any other run.
   */
  preview: { quantityChange: string; byUom?: QuantityTotal[]; byAccount?: { top: AccountTotal[]; other: Array<QuantityTotal & { accounts: number }> } } | null;
  /** `--verify`: rows read back and found as sent, found otherwise (VERIFY_MISMATCH), not read back (NOT_VERIFIED), `unknown` rows found applied, and `updated` rows left with no field to compare (not counted verified); null without --verify. */
  verify: { verified: number; mismatches: number; notVerified: number; verifiedAfterUnknown: number; notCompared: number } | null;
  /** Ids in doubt: Ids whose last row was answered success after an earlier request of the Id got no answer; with `--settle`, how many were read back holding the row's values (`settled`) and how many sent again (`resent`); null for a dry run or a preview. */
  inDoubt: { ids: number; settled: number; resent: number } | null;
  /** `--backup`: the file and the Ids it holds now; null without --backup. */
  backup: { path: string; ids: number } | null;
  /** Rows refused as exactly 1000 × Zuora's quantity (`QUANTITY_TIMES_1000`, also counted in `invalid`); null in a run that read no record before writing. */
  quantityTimes1000: number | null;
  /** Warnings about the input file (times without seconds, signs of a decimal-comma spreadsheet in a run that read nothing), each once. */
  warnings: string[];
  timing: { startedAt: string; finishedAt: string | null; elapsedMs: number | null; rowsPerSecond: number | null };
  outputs: { results: string | null; failures: string | null; failuresRows: number | null; summaryJson: string | null };
  /** What to do now, with the exact command when there is one. */
  nextStep: string | null;
  /** Why the run stopped early (exit 3), in words, */
  stopReason: string | null;
  /** and as a word a monitor can branch on: `credentials`, `unreachable`, `max-failures` or `output`. */
  stopKind: StopKind | null;
  /** The error that kept the run from starting or ended it (exit 1, 3 or 130 before any row). */
  error: { code: string; message: string } | null;
  /** Rows not done per `error_code` (most rows first), with one line of advice each; empty when none. */
  errors: Array<{ code: string; rows: number; advice: string }>;
}

export type SummaryTarget =
  | { kind: 'local' }
  | { kind: 'url'; baseUrl: string; entityIds: string | null; orgIds: string | null; zuoraVersion: string | null };

/** What the summary JSON knows of a run's options (none when they could not be built). */
export type SummaryJsonOptions = Pick<
  RunOptions,
  'input' | 'out' | 'failures' | 'summaryJson' | 'target' | 'entityIds' | 'orgIds' | 'zuoraVersion' | 'dryRun' | 'trackPrefix'
>;

export interface SummaryJsonContext {
  version: string;
  /** The `--summary-json` path, when given. */
  path?: string;
  options?: SummaryJsonOptions;
  /** When the run started and now (epoch ms). */
  startedAt: number;
  now: number;
}

const NO_COUNTS: ResultCounts = { updated: 0, failed: 0, unknown: 0, invalid: 0, valid: 0 };

/** The document written when a run starts, so a monitor never reads last night's summary as today's. */
export function runningSummaryJson(context: SummaryJsonContext): SummaryJsonV1 {
  return { ...base(context), status: 'running' };
}

/** The document of a run that ended with a summary (exit 0, 2, 3 or 130). */
export function finishedSummaryJson(summary: Summary, context: SummaryJsonContext): SummaryJsonV1 {
  return {
    ...base(context),
    status: summary.status,
    exitCode: summary.exitCode,
    dryRun: summary.dryRun,
    input: summary.input,
    trackPrefix: summary.trackPrefix,
    counts: { ...NO_COUNTS, ...summary.counts },
    rows: summary.rows,
    notReached: summary.notReached,
    keptFromEarlierRun: summary.keptFromEarlierRun,
    requests: {
      updates: summary.requests,
      reads: summary.readRequests ?? 0,
      tokens: summary.tokenRequests,
      total: summary.requests + (summary.readRequests ?? 0) + summary.tokenRequests,
    },
    retries: summary.retries,
    preview: summary.preview
      ? {
          quantityChange: summary.quantityChange ?? '0',
          ...(summary.quantities ? { byUom: summary.quantities.byUom, byAccount: { top: summary.quantities.topAccounts, other: summary.quantities.otherAccounts } } : {}),
        }
      : null,
    verify: summary.verify ?? null,
    inDoubt: summary.inDoubt ?? null,
    backup: summary.backup ?? null,
    quantityTimes1000: summary.quantityTimes1000 ?? null,
    warnings: summary.warnings ?? [],
    timing: {
      startedAt: new Date(context.now - summary.elapsedMs).toISOString(),
      finishedAt: new Date(context.now).toISOString(),
      elapsedMs: summary.elapsedMs,
      rowsPerSecond: Math.round(summary.rowsPerSecond * 10) / 10,
    },
    // A preview writes no failures file; a run that could not reach Zuora at all writes nothing.
    outputs: summary.nothingWritten
      ? { results: null, failures: null, failuresRows: null, summaryJson: context.path ?? null }
      : summary.preview
      ? { results: summary.out, failures: null, failuresRows: null, summaryJson: context.path ?? null }
      : { results: summary.out, failures: summary.failures, failuresRows: summary.failuresRows, summaryJson: context.path ?? null },
    nextStep: summary.nextStep,
    stopReason: summary.stopReason ?? null,
    stopKind: summary.stopKind ?? null,
    errors: (summary.errors ?? []).map(({ code, rows, advice }) => ({ code, rows, advice })),
    error: summary.error ?? null,
  };
}

/** How a run ended by an error (cli/run-error-exit.ts decides it). */
export interface RunFailure {
  exitCode: number;
  status: 'not-started' | 'interrupted' | 'stopped';
  code: string;
  message: string;
}

/** The document of a run that ended by an error before or instead of a summary (exit 1, 3, 130). */
export function failedSummaryJson(failure: RunFailure, context: SummaryJsonContext): SummaryJsonV1 {
  const { status } = failure;
  return {
    ...base(context),
    status,
    exitCode: failure.exitCode,
    timing: { startedAt: new Date(context.startedAt).toISOString(), finishedAt: new Date(context.now).toISOString(), elapsedMs: context.now - context.startedAt, rowsPerSecond: null },
    nextStep: status === 'not-started' ? 'Fix the problem in error.message; nothing was sent.' : null,
    error: { code: failure.code, message: failure.message },
  };
}

function base(context: SummaryJsonContext): SummaryJsonV1 {
  const { options } = context;
  return {
    schema: 1,
    tool: 'zuora-usage-update',
    version: context.version,
    status: 'running',
    exitCode: null,
    dryRun: options?.dryRun ?? null,
    input: options?.input ?? null,
    target: options ? summaryTarget(options) : null,
    trackPrefix: options?.trackPrefix ?? null,
    counts: { ...NO_COUNTS },
    rows: 0,
    notReached: 0,
    keptFromEarlierRun: 0,
    requests: { updates: 0, reads: 0, tokens: 0, total: 0 },
    retries: 0,
    preview: null,
    verify: null,
    inDoubt: null,
    backup: null,
    quantityTimes1000: null,
    warnings: [],
    timing: { startedAt: new Date(context.startedAt).toISOString(), finishedAt: null, elapsedMs: null, rowsPerSecond: null },
    outputs: { results: options?.out ?? null, failures: options?.failures ?? null, failuresRows: null, summaryJson: context.path ?? null },
    nextStep: null,
    stopReason: null,
    stopKind: null,
    error: null,
    errors: [],
  };
}

function summaryTarget(options: SummaryJsonOptions): SummaryTarget {
  if (options.target.kind === 'local') return { kind: 'local' };
  return {
    kind: 'url',
    baseUrl: urlWithoutSecrets(options.target.baseUrl),
    entityIds: options.entityIds ?? null,
    orgIds: options.orgIds ?? null,
    zuoraVersion: options.zuoraVersion ?? null,
  };
}

/**
 * The fields of the last log record of a run in `--log-format json` (`msg: "run finished"`): the summary
 * as one line, taken from the summary JSON document so the two never disagree and a key added to the
 * document shows here too. Requests and timing are flattened (`requests` is the total); an error that
 * ended the run is named by its code only, since its message was logged once already.
 */
export function runFinishedFields(doc: SummaryJsonV1): Record<string, unknown> {
  const { schema: _schema, tool: _tool, error, requests, timing, outputs, ...rest } = doc;
  return {
    ...rest,
    requests: requests.total,
    elapsedMs: timing.elapsedMs,
    rowsPerSecond: timing.rowsPerSecond,
    results: outputs.results,
    failures: outputs.failures,
    failuresRows: outputs.failuresRows,
    ...(error ? { errorCode: error.code } : {}),
  };
}

/** The pino level of the "run finished" record: info when all is well, warn when a person has rows to look at, error otherwise. */
export function runFinishedLevel(exitCode: number): 'info' | 'warn' | 'error' {
  if (exitCode === 0) return 'info';
  return exitCode === 2 || exitCode === 130 ? 'warn' : 'error';
}
