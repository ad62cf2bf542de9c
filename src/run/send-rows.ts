import type { RunOptions } from '../options.js';
import type { RowOutcome } from '../row-outcome.js';
import type { Connection } from '../send/connect.js';
import { sendUpdates, type SendItem } from '../send/send-updates.js';
import type { RunState } from './run-state.js';
import { createStopPolicy } from './stop-policy.js';

/**
 * The send stage: rows through the pool; each answer is recorded and shown to the stop policy. Its
 * counters (requests, answered) are its own.
 */
export async function sendRows(
  rows: AsyncIterable<SendItem>,
  connection: Connection,
  options: RunOptions,
  state: RunState,
  writer: { record: (outcome: RowOutcome) => void; hasRoom: () => boolean },
): Promise<{ requests: number; answered: number }> {
  const { record } = writer;
  const policy = createStopPolicy(options);
  let requests = 0;
  let answered = 0;
  await sendUpdates(rows, {
    concurrency: options.concurrency,
    put: connection.put,
    hasRoom: writer.hasRoom,
    signal: state.stopSignal,
    onResult: (item, result) => {
      const { credentialsRefused: _refused, unreachable: _unreachable, result: outcome, ...rest } = result;
      if (outcome === 'not-sent') return;
      requests += result.attempts;
      answered++;
      record({ seq: item.seq, line: item.line, cells: item.cells, id: item.update.id, trackId: item.update.trackId, result: outcome, ...rest });
      const stop = policy.afterAnswer(result);
      if (stop) state.stopEarly(stop);
    },
  });
  const atEnd = policy.atEnd();
  if (atEnd) state.stopEarly(atEnd);
  return { requests, answered };
}

/** The dry-run stage in place of sending: each valid row is recorded `valid`, nothing is sent. */
export async function dryRun(rows: AsyncIterable<SendItem>, record: (outcome: RowOutcome) => void): Promise<{ requests: number; answered: number }> {
  for await (const item of rows) record({ seq: item.seq, line: item.line, cells: item.cells, id: item.update.id, attempts: 0, result: 'valid' });
  return { requests: 0, answered: 0 };
}
