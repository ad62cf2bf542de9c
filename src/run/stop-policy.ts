import type { MaxFailures, RunOptions } from '../options.js';
import type { StopKind } from '../output/summary.js';
import type { ReadFailure } from '../read/query-usage.js';
import type { SendResult } from '../send/zuora-call.js';

/** A reason to stop sending: every later row would probably end the same way. */
export interface StopDecision {
  /** In the user's words, for the summary and the log. */
  reason: string;
  kind: StopKind;
}

/** The stop rules of a run, fed with every answered row in completion order. */
export interface StopPolicy {
  /** Takes the result of one answered row; returns why to stop now, or undefined to go on. */
  afterAnswer(result: SendResult): StopDecision | undefined;
  /** `--verify`: an answered row turned `failed` (VERIFY_MISMATCH) by its read-back; counts for `--max-failures`. */
  afterMismatch(): StopDecision | undefined;
  /** A read (`--preview`, `--backup`, `--verify`) failed after its retries: refused credentials or an unreachable Zuora stop the run. */
  afterReadFailure(failure: ReadFailure): StopDecision | undefined;
  /** After the last row: why the finished run still counts as stopped, or undefined. */
  atEnd(): StopDecision | undefined;
}

/** Unreachable rows in a row that stop the run: at least 3, or the whole pool failing together. */
export function unreachableLimit(concurrency: number): number {
  return Math.max(3, concurrency);
}

/**
 * The stop rules: credentials refused (at once), Zuora unreachable for `unreachableLimit` rows in a row
 * (or for a read, which stands for up to 200 rows), and `--max-failures` (a `--verify` mismatch is a
 * failed row too). The counters are the policy's own: no other stage reads or writes them.
 */
export function createStopPolicy(options: Pick<RunOptions, 'concurrency' | 'maxFailures'>): StopPolicy {
  let answered = 0;
  let failed = 0;
  let updated = 0;
  let unreachableInARow = 0;
  const maxFailuresReached = (): StopDecision | undefined =>
    options.maxFailures && tooManyFailures(options.maxFailures, failed, answered)
      ? { kind: 'max-failures', reason: `--max-failures reached (${failed} failed of ${answered} answered)` }
      : undefined;
  return {
    afterAnswer(result) {
      answered++;
      if (result.result === 'failed') failed++;
      if (result.result === 'updated') updated++;
      unreachableInARow = result.unreachable ? unreachableInARow + 1 : 0;
      if (result.credentialsRefused) {
        const answer = `HTTP ${result.httpStatus ?? 401}: ${result.errorMessage ?? 'Authentication error'}`;
        return {
          kind: 'credentials',
          reason:
            updated === 0
              ? `Zuora refused the credentials (${answer}); fix ZUORA_ACCESS_TOKEN or the OAuth client`
              : `Zuora refused the credentials mid-run (${answer})`,
        };
      }
      if (unreachableInARow >= unreachableLimit(options.concurrency)) {
        return {
          kind: 'unreachable',
          reason: `cannot reach Zuora: the last ${unreachableInARow} rows could not connect (${result.errorCode}); every row would fail the same way`,
        };
      }
      return maxFailuresReached();
    },
    afterMismatch() {
      failed++;
      return maxFailuresReached();
    },
    afterReadFailure(failure) {
      if (failure.credentialsRefused) return { kind: 'credentials', reason: `Zuora refused the credentials while reading records (${failure.errorMessage})` };
      if (failure.unreachable) return { kind: 'unreachable', reason: `cannot reach Zuora to read records (${failure.errorCode})` };
      return undefined;
    },
    atEnd() {
      // Zuora still unreachable when the rows ran out: as much an outage as one that stopped the run (exit 3).
      if (unreachableInARow === 0) return undefined;
      return {
        kind: 'unreachable',
        reason: `cannot reach Zuora: the last ${unreachableInARow} rows could not connect; run again with --resume once it is reachable`,
      };
    },
  };
}

/** `--max-failures`: a count, or a share of the rows answered so far, counted from the 20th. */
export function tooManyFailures(limit: MaxFailures, failed: number, answered: number): boolean {
  if ('count' in limit) return failed > limit.count;
  return answered >= 20 && (failed * 100) / answered > limit.percent;
}
