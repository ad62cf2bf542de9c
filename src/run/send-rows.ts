import type { RunOptions } from '../options.js';
import type { RowOutcome } from '../row-outcome.js';
import type { PutResult, UsageUpdate } from '../send/put-usage.js';
import { sendUpdates, type Room, type SendItem } from '../send/send-updates.js';
import type { RunState } from './run-state.js';
import type { StopPolicy } from './stop-policy.js';

/** What the send stage sends with and hands its answers to: the connection's, or the verify stage's around them. */
export interface SendHooks {
  /** Sends one row with its retries, through the transport (the connection's `put`, or the verify stage's wrapper of it). */
  put(update: UsageUpdate): Promise<PutResult>;
  /** Rows the transport can carry in flight at once: the pool's size. */
  rowsInFlight: number;
  /** Rows the pool may hold at once, in flight or taken ahead from the input. */
  rowsAdmitted: number;
  /** No more rows will come from the input (the transport need not wait for more to fill a call). */
  inputEnded(): void;
  /** An answered row: recorded at once (`recordAnswer`), or held by the verify stage until its read-back. */
  settle(item: SendItem, result: PutResult): void;
  /** When the sender may take another row (the results writer, and rows waiting for a read-back). */
  room: Room;
}

/** What the send stage counts: the requests that carried each answered row, summed, and the rows answered. */
export interface SendCounts {
  rowAttempts: number;
  answered: number;
}

/**
 * The send stage: rows through the pool; each answer is settled and shown to the stop policy. Its
 * counters (row attempts, answered) are its own; the requests sent are the connection's.
 */
export async function sendRows(
  rows: AsyncIterable<SendItem>,
  hooks: SendHooks,
  options: RunOptions,
  state: RunState,
  policy: StopPolicy,
): Promise<SendCounts> {
  let rowAttempts = 0;
  let answered = 0;
  await sendUpdates(rows, {
    // A pool slot is a row: -c requests in flight, each carrying up to the transport's rows a call.
    concurrency: hooks.rowsInFlight,
    maxAdmitted: hooks.rowsAdmitted,
    put: hooks.put,
    room: hooks.room,
    signal: state.stopSignal,
    onInputEnd: hooks.inputEnded,
    onResult: (item, result) => {
      if (result.result === 'not-sent') return;
      // --skip-unchanged: nothing was sent, so nothing for the request counts or the stop rules.
      if (result.result === 'unchanged') return hooks.settle(item, result);
      rowAttempts += result.attempts;
      answered++;
      hooks.settle(item, result);
      const stop = policy.afterAnswer(result);
      if (stop) state.stopEarly(stop);
    },
  });
  const atEnd = policy.atEnd();
  if (atEnd) state.stopEarly(atEnd);
  return { rowAttempts, answered };
}

/** Settles an answered row by recording its outcome as it was answered. */
export function recordAnswer(record: (outcome: RowOutcome) => void): (item: SendItem, result: PutResult) => void {
  return (item, result) => {
    const { credentialsRefused: _refused, unreachable: _unreachable, unanswered: _unanswered, result: outcome, ...rest } = result;
    // A row the run never sent has no outcome (the send stage settles answered rows only).
    if (outcome === 'not-sent') return;
    record({ seq: item.seq, line: item.line, cells: item.cells, id: item.update.id, trackId: item.update.trackId, result: outcome, ...rest });
  };
}

/** The dry-run stage in place of sending: each valid row is recorded `valid`, nothing is sent. */
export async function dryRun(rows: AsyncIterable<SendItem>, record: (outcome: RowOutcome) => void): Promise<SendCounts> {
  for await (const item of rows) record({ seq: item.seq, line: item.line, cells: item.cells, id: item.update.id, attempts: 0, result: 'valid' });
  return { rowAttempts: 0, answered: 0 };
}
