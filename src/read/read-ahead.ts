import type { ReadBatch, ReadCall } from './query-usage.js';
import { QUERY_ID_LIMIT, type ReadRecord } from './usage-query.js';
import { IdSet } from '../rows/id-case.js';

/** What the read said about one item's Id. */
export type ItemRead =
  | { kind: 'found'; record: ReadRecord; call: ReadCall }
  | { kind: 'not-found'; call: ReadCall }
  /** The read failed after its retries (or the run stopped before it was sent: `notSent`). */
  | { kind: 'failed'; failure: Extract<ReadBatch, { ok: false }> };

export interface ReadAheadOptions<T> {
  /**
   * The Id to read for this item, or undefined when it needs no read (an Id read already, or a row
   * that is not sent). Called once per item, in input order, before any later item is taken.
   */
  idOf(item: T): string | undefined;
  /** Reads up to `batchSize` ids (query-usage.ts in production). */
  read(ids: string[]): Promise<ReadBatch>;
  /** Ids per read. Default 200, Zuora's limit of conditions. */
  batchSize?: number;
  /** Reads started beyond the batch being handed on. Default 2. */
  ahead?: number;
  /** Once aborted, no item is taken or handed on any more. */
  signal?: AbortSignal;
}

/** Input items taken for each item handed on while reads are not far enough ahead. */
const PULLS_PER_ITEM = 4;

interface Batch<T> {
  entries: Array<{ item: T; id: string | undefined }>;
  reading: Promise<ReadBatch | undefined>;
  settled: boolean;
  /** Entries handed on so far. */
  next: number;
}

/**
 * Hands items on in input order, each with what the batched read said about its Id. Ids are
 * gathered into groups of up to 200 (one request each, not one per row) and read ahead: while the
 * items of a group whose read is done are handed on, the next items are taken from the input faster,
 * so the next groups fill and their reads start (up to `ahead` groups beyond the one being handed
 * on) before the rows that need them are reached. A group is also closed after 4 x 200 items,
 * so rows that need no read are never held back without bound.
 */
export async function* readAhead<T>(items: AsyncIterable<T>, options: ReadAheadOptions<T>): AsyncGenerator<{ item: T; read?: ItemRead }> {
  const size = options.batchSize ?? QUERY_ID_LIMIT;
  const ahead = options.ahead ?? 2;
  const { signal } = options;
  const source = items[Symbol.asyncIterator]();
  const queue: Array<Batch<T>> = [];
  let entries: Batch<T>['entries'] = [];
  let ids = new IdSet();
  let ended = false;
  let taken = 0;

  const start = (): void => {
    if (entries.length === 0) return;
    const wanted = [...ids];
    const batch: Batch<T> = {
      entries,
      settled: wanted.length === 0,
      next: 0,
      reading: wanted.length === 0 ? Promise.resolve(undefined) : options.read(wanted).catch((error: unknown) => thrown(error)),
    };
    void batch.reading.then(() => {
      batch.settled = true;
    });
    queue.push(batch);
    entries = [];
    ids = new IdSet();
  };
  /** The next item of the oldest group, once its read is done. */
  const takeOne = async (): Promise<{ item: T; read?: ItemRead }> => {
    const batch = queue[0] as Batch<T>;
    const result = await batch.reading;
    const { item, id } = batch.entries[batch.next++] as Batch<T>['entries'][number];
    if (batch.next === batch.entries.length) queue.shift();
    return id === undefined || result === undefined ? { item } : { item, read: readOf(result, id) };
  };

  try {
    while (!signal?.aborted) {
      if (!ended && queue.length <= ahead) {
        const next = await source.next();
        if (signal?.aborted) return;
        if (next.done) {
          ended = true;
          start();
        } else {
          const id = options.idOf(next.value);
          entries.push({ item: next.value, id });
          if (id !== undefined) ids.add(id);
          if (ids.size >= size || entries.length >= size * 4) start();
        }
        // Hand on what is ready, one item for every few taken: the input moves faster than the rows are
        // handed on, so the next groups fill and their reads start before their rows are reached.
        if (queue[0]?.settled && ++taken >= PULLS_PER_ITEM) {
          taken = 0;
          yield await takeOne();
        }
        continue;
      }
      if (queue.length === 0) return;
      yield await takeOne();
    }
  } finally {
    await source.return?.();
  }
}

function readOf(batch: ReadBatch, id: string): ItemRead {
  if (!batch.ok) return { kind: 'failed', failure: batch };
  const found = batch.records.get(id);
  return found ? { kind: 'found', record: found.record, call: found.call } : { kind: 'not-found', call: batch.last };
}

/** A bug in a read becomes the read's failure for its rows, never an unhandled rejection. */
function thrown(error: unknown): ReadBatch {
  return {
    ok: false,
    call: { trackId: '' },
    errorCode: 'CLIENT_ERROR',
    errorMessage: error instanceof Error ? error.message : String(error),
  };
}
