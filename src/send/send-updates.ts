import pLimit from 'p-limit';
import type { PutResult, UsageUpdate } from './put-usage.js';
import { IdMap } from '../rows/id-case.js';

/** A valid row on its way to Zuora. */
export interface SendItem {
  seq: number;
  line: number;
  /** The input cells, carried along for the results row. */
  cells: string[];
  update: UsageUpdate;
}

/**
 * A bound outside the pool on taking rows (the results writer's reorder buffer and files, rows waiting
 * for a read-back). Like p-queue's `onSizeLessThan`: the sender awaits `room()` instead of polling.
 */
export interface Room {
  /** Whether the sender may take another row now. */
  hasRoom(): boolean;
  /** Resolves once `hasRoom()` may have turned true (at once when it is true already). */
  room(): Promise<void>;
}

/** A `Room` for a bound whose owner calls `check()` whenever it may have freed room. */
export interface CheckedRoom extends Room {
  /** Wakes every waiter if there is room now. */
  check(): void;
}

/** Room while `hasRoom()` holds; waiters are woken by `check()`. */
export function createRoom(hasRoom: () => boolean): CheckedRoom {
  let waiters: Array<() => void> = [];
  return {
    hasRoom,
    room() {
      if (hasRoom()) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    check() {
      if (waiters.length === 0 || !hasRoom()) return;
      const woken = waiters;
      waiters = [];
      for (const wake of woken) wake();
    },
  };
}

/** Room when both have room. */
export function bothRooms(a: Room, b: Room): Room {
  return {
    hasRoom: () => a.hasRoom() && b.hasRoom(),
    room: async () => {
      await a.room();
      await b.room();
    },
  };
}

/** How `sendUpdates` sends: the pool size, the per-row send, where answers go, and its bounds. */
export interface SendOptions {
  /** Most requests in flight at once. */
  concurrency: number;
  /** Sends one row with its retries (put-usage.ts in production). */
  put: (update: UsageUpdate) => Promise<PutResult>;
  /** Called once per row that was sent, as soon as it is done, in completion order. Never with `not-sent`. */
  onResult: (item: SendItem, result: PutResult) => void;
  /**
   * Extra admission condition checked before taking the next row (the results writer uses it to bound
   * its reorder buffer and its files). Re-checked whenever a row finishes or `room()` resolves.
   */
  room?: Room;
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
  const { room, signal } = options;
  const tails = new IdMap<Promise<void>>();
  let admitted = 0;
  let wake: (() => void) | undefined;
  const all = new Set<Promise<void>>();

  const roomNow = (): boolean => admitted < maxAdmitted && (room?.hasRoom() ?? true);
  const waitForRoom = async (): Promise<void> => {
    while (!roomNow() && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        // A full results file drains without any row finishing: the room says when.
        if (admitted < maxAdmitted) void room?.room().then(resolve);
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
