import type { RunOptions } from '../options.js';
import type { ErrorCount } from '../output/error-groups.js';
import { exitCodeFor } from '../output/exit-code.js';
import type { RunSummary, StopKind } from '../output/summary.js';
import type { QuantityTotals } from '../report/quantity-totals.js';
import type { ResultCounts } from '../row-outcome.js';

/** What the stages of a run report at its end, each from its own counters. */
export interface SummaryFacts {
  status: RunSummary['status'];
  stopReason?: string;
  stopKind?: StopKind;
  /** Outcomes written to the results file, per result (the results writer). */
  counts: Readonly<ResultCounts>;
  /** Rows written to the failures file (the results writer). */
  failuresRows: number;
  /** Rows not done per error_code (run-outputs.ts counts them as they are recorded). */
  errorCounts?: ErrorCount[];
  /** Rows kept from an earlier run by `--resume` (the resume stage). */
  keptFromEarlierRun: number;
  /** Input records, all of them, also those a stopped run never reached (the reader). */
  records: number;
  /** Update requests sent, retries included; one Actions call counts once whatever it carries (the connection). */
  requests: number;
  /** Requests that carried each answered row, summed, and rows answered (the send stage). */
  rowAttempts: number;
  answered: number;
  /** OAuth token requests (the connection). */
  tokenRequests: number;
  /** Read requests, retries included (the connection's reader); undefined in a dry run. */
  readRequests?: number;
  /** `--preview`: the total quantity change over the `would-update` rows (the preview stage). */
  quantityChange?: string;
  /** `--preview`: quantity totals per unit of measure and per account (the preview stage's ledger). */
  quantities?: QuantityTotals;
  /** Pauses Zuora asked for (the connection's throttle). */
  pauses?: RunSummary['pauses'];
  /** `--verify`: what the read-backs found (the verify stage). */
  verify?: RunSummary['verify'];
  /** Ids in doubt (the Ids-in-doubt stage). */
  inDoubt?: RunSummary['inDoubt'];
  /** `--backup`: the file and the Ids it holds (the backup file). */
  backup?: RunSummary['backup'];
  /** Rows refused as exactly 1000 × Zuora's quantity; only in modes that read records first. */
  quantityTimes1000?: number;
  /** Warnings about the file, each once (end-of-run.ts). */
  warnings?: string[];
  /** A run that read nothing, on a file with signs of a decimal-comma spreadsheet: the signs, in words. */
  decimalCommaSigns?: string;
  /** Clock readings at the start and the end of the run, in ms. */
  startedAt: number;
  endedAt: number;
}

/** The run summary from the facts of each stage: totals, rates and the exit code. */
export function buildSummary(
  facts: SummaryFacts,
  options: Pick<RunOptions, 'dryRun' | 'preview' | 'input' | 'out' | 'failures' | 'trackPrefix'>,
): RunSummary {
  const counts = { ...facts.counts };
  const rows = Object.values(counts).reduce((a, b) => a + b, 0);
  const elapsedMs = facts.endedAt - facts.startedAt;
  return {
    status: facts.status,
    stopReason: facts.stopReason,
    stopKind: facts.stopKind,
    exitCode: exitCodeFor(facts.status, counts),
    dryRun: options.dryRun,
    counts,
    rows,
    notReached: Math.max(0, facts.records - rows),
    keptFromEarlierRun: facts.keptFromEarlierRun,
    requests: facts.requests,
    // Rows sent again: a row carried by n requests (n PUTs, or n Actions calls) was retried n - 1 times.
    retries: facts.rowAttempts - facts.answered,
    tokenRequests: facts.tokenRequests,
    elapsedMs,
    rowsPerSecond: elapsedMs > 0 ? ((rows - facts.keptFromEarlierRun) * 1000) / elapsedMs : 0,
    input: options.input,
    out: options.out,
    failures: options.failures,
    failuresRows: facts.failuresRows,
    errorCounts: facts.errorCounts ?? [],
    trackPrefix: options.trackPrefix,
    ...(facts.readRequests === undefined ? {} : { readRequests: facts.readRequests }),
    ...(options.preview ? { preview: true, quantityChange: facts.quantityChange, ...(facts.quantities ? { quantities: facts.quantities } : {}) } : {}),
    ...(facts.pauses ? { pauses: facts.pauses } : {}),
    ...(facts.verify ? { verify: facts.verify } : {}),
    ...(facts.inDoubt ? { inDoubt: facts.inDoubt } : {}),
    ...(facts.backup ? { backup: facts.backup } : {}),
    ...(facts.quantityTimes1000 === undefined ? {} : { quantityTimes1000: facts.quantityTimes1000 }),
    ...(facts.warnings ? { warnings: facts.warnings } : {}),
    ...(facts.decimalCommaSigns ? { decimalCommaSigns: facts.decimalCommaSigns } : {}),
  };
}
