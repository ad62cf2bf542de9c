import type { RunOptions } from '../options.js';
import type { RowOutcome } from '../row-outcome.js';
import type { Room } from '../send/room.js';
import { sendUpdates } from '../send/send-updates.js';
import type { SendItem, Transport } from '../send/transport.js';
import type { SendResult } from '../send/zuora-call.js';
import type { RunState } from './run-state.js';
import type { StopPolicy } from './stop-policy.js';

/**
 * What the send stage sends through and hands its answers to: the connection's transport and the
 * results, or the stages wrapped around them (Ids in doubt, `--verify`, `--skip-unchanged`), each
 * wrapping the transport, the settle and the room of the one inside.
 */
export interface SendStage {
  /** Sends each row (the connection's transport, or a stage's wrapper of it). */
  transport: Transport;
  /** An answered row: recorded at once (`recordAnswer`), or held by a stage (a read-back, an Id in doubt) until it is decided. */
  settle(item: SendItem, result: SendResult): void;
  /** When the sender may take another row (the results writer, and rows waiting for a read-back). */
  room: Room;
  /** Told of each row as the sender takes it (the Ids-in-doubt stage counts the rows of each Id still to settle). */
  taken?: (item: SendItem) => void;
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
  stage: SendStage,
  options: RunOptions,
  state: RunState,
  policy: StopPolicy,
): Promise<SendCounts> {
  let rowAttempts = 0;
  let answered = 0;
  await sendUpdates(rows, {
    // A pool slot is a row: -c requests in flight, each carrying up to the transport's rows a call.
    transport: stage.transport,
    room: stage.room,
    signal: state.stopSignal,
    onTake: stage.taken,
    onResult: (item, result) => {
      if (result.result === 'not-sent') return;
      // --skip-unchanged: nothing was sent, so nothing for the request counts or the stop rules.
      if (result.result === 'unchanged') return stage.settle(item, result);
      rowAttempts += result.attempts;
      answered++;
      stage.settle(item, result);
      const stop = policy.afterAnswer(result);
      if (stop) state.stopEarly(stop);
    },
  });
  const atEnd = policy.atEnd();
  if (atEnd) state.stopEarly(atEnd);
  return { rowAttempts, answered };
}

/** Settles an answered row by recording its outcome as it was answered. */
export function recordAnswer(record: (outcome: RowOutcome) => void): (item: SendItem, result: SendResult) => void {
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
