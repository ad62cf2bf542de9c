import pLimit from 'p-limit';
import { IdMap } from '../rows/id-case.js';
import type { Room } from './room.js';
import type { SendItem, Transport } from './transport.js';
import type { SendResult } from './zuora-call.js';

/** How `sendUpdates` sends: the transport (which sizes the pool), where answers go, and its bounds. */
export interface SendOptions {
  /** Sends each row; the pool takes `rowsInFlight` rows at once and holds at most `rowsAdmitted`, and tells it when the input ends. */
  transport: Transport;
  /** Called once per row that was sent, as soon as it is done, in completion order. Never with `not-sent`. */
  onResult: (item: SendItem, result: SendResult) => void;
  /**
   * Extra admission condition checked before taking the next row (the results writer uses it to bound
   * its reorder buffer and its files). Re-checked whenever a row finishes or `room()` resolves.
   */
  room?: Room;
  /** Once aborted: no row is taken or started any more; rows already in flight finish. */
  signal?: AbortSignal;
  /** Told synchronously of each row as it is taken from `rows`, before it waits for room (the Ids-in-doubt stage counts the rows of each Id still to settle). */
  onTake?: (item: SendItem) => void;
}

/**
 * Sends rows through the transport, a pool of its `rowsInFlight` rows with backpressure: the next row is
 * pulled from `rows` only when there is room, so the reader (and memory) never runs ahead of the network.
 *
 * Rows sharing an `Id` are chained: each starts only after the previous one of that `Id` finished, so
 * the last row of the file wins as if sent one by one. Waiting rows do not hold a pool slot, but count
 * towards the transport's `rowsAdmitted`, which keeps a file full of one `Id` from buffering without bound.
 */
export async function sendUpdates(rows: AsyncIterable<SendItem>, options: SendOptions): Promise<void> {
  const { transport, room, signal } = options;
  const limit = pLimit(transport.rowsInFlight);
  const maxAdmitted = transport.rowsAdmitted;
  const tails = new IdMap<Promise<void>>();
  let admitted = 0;
  let wake: (() => void) | undefined;
  const all = new Set<Promise<void>>();

  const roomNow = (): boolean => admitted < maxAdmitted && (room?.hasRoom() ?? true);
  /** Called once `roomNow()` said no: waits until it says yes (or the run stops). */
  const waitForRoom = async (): Promise<void> => {
    do {
      await new Promise<void>((resolve) => {
        wake = resolve;
        // A full results file drains without any row finishing: the room says when.
        if (admitted < maxAdmitted) void room?.room().then(resolve);
      });
    } while (!roomNow() && !signal?.aborted);
  };
  const onAbort = (): void => wake?.();
  signal?.addEventListener('abort', onAbort);

  const runOne = async (item: SendItem): Promise<void> => {
    if (signal?.aborted) return;
    let result: SendResult;
    try {
      result = await transport.send(item);
    } catch (error) {
      // A bug or an unexpected failure in one row must not stop the others: it becomes the row's result.
      result = {
        result: 'failed',
        attempts: 0,
        errorCode: 'CLIENT_ERROR',
        errorMessage: error instanceof Error ? error.message : String(error),
      };
    }
    // Rows stopped before their first attempt have no outcome: the run counts them as not reached.
    if (result.result !== 'not-sent') options.onResult(item, result);
  };

  const finished = (id: string, job: Promise<void>): void => {
    admitted--;
    if (tails.get(id) === job) tails.delete(id);
    all.delete(job);
    const resume = wake;
    wake = undefined;
    resume?.();
  };

  try {
    for await (const item of rows) {
      options.onTake?.(item);
      // Checked here first: most rows find room, and need not wait a microtask for it.
      if (!roomNow() && !signal?.aborted) await waitForRoom();
      if (signal?.aborted) break;
      admitted++;
      const { id } = item.update;
      const previous = tails.get(id);
      // A row whose Id has nothing in flight goes straight to the pool; a later row of an Id waits for the one before.
      const sent = previous === undefined ? limit(runOne, item) : previous.then(() => limit(runOne, item));
      const job: Promise<void> = sent.then(
        () => finished(id, job),
        (error: unknown) => {
          finished(id, job);
          throw error;
        },
      );
      tails.set(id, job);
      all.add(job);
      if (signal?.aborted) break;
    }
    // No row will be taken any more (input done, or the run stopping): a partial call need not wait.
    transport.inputEnded();
    await Promise.all([...all]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
