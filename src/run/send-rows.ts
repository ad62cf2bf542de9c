import type { RunOptions } from '../options.js';
import type { RowOutcome } from '../row-outcome.js';
import type { Connection } from '../send/connect.js';
import { sendUpdates, type SendItem } from '../send/send-updates.js';
import type { RunState } from './run-state.js';
import { createStopPolicy } from './stop-policy.js';

/** What the send stage counts: the requests that carried each answered row, summed, and the rows answered. */
export interface SendCounts {
  rowAttempts: number;
  answered: number;
}

/**
 * The send stage: rows through the pool; each answer is recorded and shown to the stop policy. Its
 * counters (row attempts, answered) are its own; the requests sent are the connection's.
 */
export async function sendRows(
  rows: AsyncIterable<SendItem>,
  connection: Connection,
  options: RunOptions,
  state: RunState,
  writer: { record: (outcome: RowOutcome) => void; hasRoom: () => boolean },
): Promise<SendCounts> {
  const { record } = writer;
  const policy = createStopPolicy(options);
  let rowAttempts = 0;
  let answered = 0;
  await sendUpdates(rows, {
    // A pool slot is a row: -c requests in flight, each carrying up to the transport's rows a call.
    concurrency: connection.rowsInFlight,
    put: connection.put,
    hasRoom: writer.hasRoom,
    signal: state.stopSignal,
    onInputEnd: connection.inputEnded,
    onResult: (item, result) => {
      const { credentialsRefused: _refused, unreachable: _unreachable, result: outcome, ...rest } = result;
      if (outcome === 'not-sent') return;
      rowAttempts += result.attempts;
      answered++;
      record({ seq: item.seq, line: item.line, cells: item.cells, id: item.update.id, trackId: item.update.trackId, result: outcome, ...rest });
      const stop = policy.afterAnswer(result);
      if (stop) state.stopEarly(stop);
    },
  });
  const atEnd = policy.atEnd();
  if (atEnd) state.stopEarly(atEnd);
  return { rowAttempts, answered };
}

/** The dry-run stage in place of sending: each valid row is recorded `valid`, nothing is sent. */
export async function dryRun(rows: AsyncIterable<SendItem>, record: (outcome: RowOutcome) => void): Promise<SendCounts> {
  for await (const item of rows) record({ seq: item.seq, line: item.line, cells: item.cells, id: item.update.id, attempts: 0, result: 'valid' });
  return { rowAttempts: 0, answered: 0 };
}
