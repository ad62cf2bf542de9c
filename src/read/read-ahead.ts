import type { ReadBatch, ReadCall } from './query-usage.js';
import { QUERY_ID_LIMIT, type ReadRecord } from './usage-query.js';

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

interface Batch<T> {
  entries: Array<{ item: T; id: string | undefined }>;
  reading: Promise<ReadBatch | undefined>;
  settled: boolean;
}

/**
 * Hands items on in input order, each with what the batched read said about its Id. Ids are
 * gathered into groups of up to 200 (one request each, not one per row) and read ahead: the reads of
 * the next `ahead` groups are in flight while the items of a settled group are taken, so the rows that
 * need a read wait for it as little as possible. A group is also closed after 4 x 200 items, so rows
 * that need no read are never held back without bound.
 */
export async function* readAhead<T>(items: AsyncIterable<T>, options: ReadAheadOptions<T>): AsyncGenerator<{ item: T; read?: ItemRead }> {
  const size = options.batchSize ?? QUERY_ID_LIMIT;
  const ahead = options.ahead ?? 2;
  const { signal } = options;
  const queue: Array<Batch<T>> = [];
  let entries: Batch<T>['entries'] = [];
  let ids = new Set<string>();

  const start = (): void => {
    if (entries.length === 0) return;
    const wanted = [...ids];
    const batch: Batch<T> = {
      entries,
      settled: wanted.length === 0,
      reading: wanted.length === 0 ? Promise.resolve(undefined) : options.read(wanted).catch((error: unknown) => thrown(error)),
    };
    void batch.reading.then(() => {
      batch.settled = true;
    });
    queue.push(batch);
    entries = [];
    ids = new Set();
  };

  async function* handOn(batch: Batch<T>): AsyncGenerator<{ item: T; read?: ItemRead }> {
    const result = await batch.reading;
    for (const { item, id } of batch.entries) {
      if (signal?.aborted) return;
      yield id === undefined || result === undefined ? { item } : { item, read: readOf(result, id) };
    }
  }

  for await (const item of items) {
    if (signal?.aborted) return;
    const id = options.idOf(item);
    entries.push({ item, id });
    if (id !== undefined) ids.add(id);
    if (ids.size >= size || entries.length >= size * 4) start();
    // Hand on what is ready; wait for the oldest read only when too many are ahead.
    while (queue.length > 0 && ((queue[0] as Batch<T>).settled || queue.length > ahead)) {
      yield* handOn(queue.shift() as Batch<T>);
      if (signal?.aborted) return;
    }
  }
  start();
  while (queue.length > 0) {
    if (signal?.aborted) return;
    yield* handOn(queue.shift() as Batch<T>);
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
