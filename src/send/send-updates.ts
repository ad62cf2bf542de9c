import pLimit from 'p-limit';
import type { PutResult, UsageUpdate } from './put-usage.js';

/** A valid row on its way to Zuora. */
export interface SendItem {
  seq: number;
  line: number;
  /** The input cells, carried along for the results row. */
  cells: string[];
  update: UsageUpdate;
}

/** How often a full results writer is asked again whether it has room. */
const ROOM_POLL_MS = 10;

export interface SendOptions {
  /** Most requests in flight at once. */
  concurrency: number;
  /** Sends one row with its retries (put-usage.ts in production). */
  put: (update: UsageUpdate) => Promise<PutResult>;
  /** Called once per row that was sent, as soon as it is done, in completion order. Never with `not-sent`. */
  onResult: (item: SendItem, result: PutResult) => void;
  /**
   * Extra admission condition checked before taking the next row (the results writer uses it to bound
   * its reorder buffer). Re-checked whenever a row finishes.
   */
  hasRoom?: () => boolean;
  /** Rows taken from the input but not finished, at most. Default 4 x concurrency. */
  maxAdmitted?: number;
  /** Once aborted: no row is taken or started any more; rows already in flight finish. */
  signal?: AbortSignal;
  /** Called once no row will be taken from `rows` any more (input done, or the run stopping). */
  onInputEnd?: () => void;
}

/**
 * Sends rows through a pool of `concurrency` requests with backpressure: the next row is pulled from
 * `rows` only when there is room, so the reader (and memory) never runs ahead of the network.
 *
 * Rows sharing an `Id` are chained: each starts only after the previous one of that `Id` finished, so
 * the last row of the file wins as if sent one by one. Waiting rows do not hold a pool slot, but count
 * towards `maxAdmitted`, which keeps a file full of one `Id` from buffering without bound.
 */
export async function sendUpdates(rows: AsyncIterable<SendItem>, options: SendOptions): Promise<void> {
  const limit = pLimit(options.concurrency);
  const maxAdmitted = options.maxAdmitted ?? options.concurrency * 4;
  const hasRoom = options.hasRoom ?? (() => true);
  const { signal } = options;
  const tails = new Map<string, Promise<void>>();
  let admitted = 0;
  let wake: (() => void) | undefined;
  const all = new Set<Promise<void>>();

  const roomNow = (): boolean => admitted < maxAdmitted && hasRoom();
  const waitForRoom = async (): Promise<void> => {
    while (!roomNow() && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        // A full results file drains without any row finishing, so `hasRoom` is polled too. The timer
        // stays referenced: it may be the only thing keeping the process alive while the file drains.
        if (admitted < maxAdmitted) setTimeout(resolve, ROOM_POLL_MS);
      });
    }
  };
  const onAbort = (): void => wake?.();
  signal?.addEventListener('abort', onAbort);

  const runOne = async (item: SendItem): Promise<void> => {
    if (signal?.aborted) return;
    let result: PutResult;
    try {
      result = await options.put(item.update);
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

  try {
    for await (const item of rows) {
      await waitForRoom();
      if (signal?.aborted) break;
      admitted++;
      const { id } = item.update;
      const previous = tails.get(id);
      const job = (previous ?? Promise.resolve())
        .then(() => limit(() => runOne(item)))
        .finally(() => {
          admitted--;
          if (tails.get(id) === job) tails.delete(id);
          all.delete(job);
          const resume = wake;
          wake = undefined;
          resume?.();
        });
      tails.set(id, job);
      all.add(job);
      if (signal?.aborted) break;
    }
    options.onInputEnd?.();
    await Promise.all([...all]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
