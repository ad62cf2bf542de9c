import type { Logger } from 'pino';
import type { InputRecord, InputTable } from '../input/read-rows.js';

/** The input records, counted, and kept open when a stage stops reading early (so the rest can be counted). */
export interface CountedRecords {
  next(): Promise<InputRecord | undefined>;
  /** Records read so far. */
  count(): number;
  /** Reads the records nobody will process, only to count them. */
  drain(logger: Logger): Promise<void>;
  close(): Promise<void>;
}

/** Counts the records of `table` as they are read. */
export function countedRecords(table: InputTable): CountedRecords {
  const records = table.records[Symbol.asyncIterator]();
  let count = 0;
  let done = false;
  const next = async (): Promise<InputRecord | undefined> => {
    if (done) return undefined;
    const step = await records.next();
    if (step.done) {
      done = true;
      return undefined;
    }
    count++;
    return step.value;
  };
  return {
    next,
    count: () => count,
    async drain(logger) {
      try {
        while ((await next()) !== undefined);
      } catch (error) {
        logger.warn({ err: error }, 'could not read the rest of the input to count the records not reached');
      }
    },
    async close() {
      if (done) return;
      done = true;
      await records.return?.();
    },
  };
}
