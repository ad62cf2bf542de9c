/**
 * Gathering rows into calls as they arrive, for a transport that carries many rows a request (Actions).
 * A call leaves as soon as it is full; when rows come slowly it leaves `lingerMs` after its first row,
 * so a trickle of rows is never held back for long; once the input has ended, a partial call (the last
 * rows of a file, rows sent again) leaves at once.
 */

import { IdSet } from '../rows/id-case.js';

export interface RowBatcherOptions<T> {
  /** Most rows a call carries (Actions: 1 to 50). */
  batchSize: number;
  /** How long a partial call waits for more rows, in ms. */
  lingerMs: number;
  /** The usage Id of a row: two rows of one Id never share a call. */
  idOf(row: T): string;
  /** Takes a call's rows, in the order they arrived. */
  send(rows: T[]): void;
}

/** Gathers rows into calls of up to `batchSize` rows, never two rows of one Id in a call. */
export interface RowBatcher<T> {
  /** Adds a row to the call being gathered; sends the call when full. */
  add(row: T): void;
  /** Sends the call being gathered now, if it has any row. */
  flush(): void;
  /**
   * No more rows are coming from the input: from now on a partial call leaves at the next turn of the
   * event loop (once the rows already on their way have been added) instead of after `lingerMs`.
   */
  inputEnded(): void;
  /** Rows waiting for their call to leave. */
  readonly waiting: number;
  /** Sends what is gathered and stops the linger timer. */
  close(): void;
}

/**
 * Gathers rows into calls of at most `batchSize`. Rows sharing an Id are kept apart: a row whose Id is
 * already in the gathered call sends that call first and starts the next one, so calls keep file order
 * and the last row of an Id still wins (the pool never hands over two rows of one Id at once anyway;
 * this keeps the rule true of the batcher on its own).
 */
export function batchRows<T>(options: RowBatcherOptions<T>): RowBatcher<T> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new RangeError(`batchSize must be a whole number >= 1, got ${options.batchSize}`);
  let rows: T[] = [];
  let ids = new IdSet();
  let timer: NodeJS.Timeout | undefined;
  let lingerMs = options.lingerMs;

  const flush = (): void => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (rows.length === 0) return;
    const call = rows;
    rows = [];
    ids = new IdSet();
    options.send(call);
  };

  return {
    add(row) {
      const id = options.idOf(row);
      if (ids.has(id)) flush();
      rows.push(row);
      ids.add(id);
      if (rows.length >= options.batchSize) flush();
      // Referenced on purpose: the rows of a partial call may be all that keeps the run going.
      else timer ??= setTimeout(flush, lingerMs);
    },
    flush,
    inputEnded() {
      lingerMs = 0;
      if (timer === undefined) return;
      clearTimeout(timer);
      timer = setTimeout(flush, 0);
    },
    get waiting() {
      return rows.length;
    },
    close: flush,
  };
}
