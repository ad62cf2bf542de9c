import type { ReadBatch, ReadCall } from '../read/query-usage.js';
import { readAhead } from '../read/read-ahead.js';
import type { ReadRecord } from '../read/usage-query.js';
import type { SendItem } from '../send/transport.js';
import type { BackupFile } from './backup-file.js';
import { IdMap, IdSet } from '../rows/id-case.js';

/** Why a row was not sent: its record could not be read, so it could not be backed up first. */
export interface NotBackedUp {
  errorCode: string;
  errorMessage: string;
  call: ReadCall;
}

export interface BackUpOptions {
  backup: BackupFile;
  /** Reads up to 200 ids (the run's UsageReader with this input's fields). */
  read(ids: string[]): Promise<ReadBatch>;
  /** A row that is not sent because its record (or an earlier row's, same Id) could not be read. */
  onNotSent(item: SendItem, why: NotBackedUp): void;
  /**
   * Whether to hold a row back although its Id is backed up (a quantity a spreadsheet multiplied by
   * 1000): `record` is the Id's record when this row carried its read, else undefined. The callee
   * records the row; true keeps it from the sender. With it, the first row of every Id carries a read,
   * also of an Id the backup already holds (`--resume`).
   */
  refuse?(item: SendItem, record: ReadRecord | undefined): boolean;
  /** The backup file cannot be written: the run should stop (no row of the batch is sent). */
  onWriteError?(error: Error): void;
  signal?: AbortSignal;
}

/**
 * Passes rows on to the sender only once their Id's values from before this run are in the backup
 * file, on disk. The first row of each Id not yet backed up has its record read (in batches of 200,
 * ahead of the sender); the records read are appended and flushed before any row of the batch is
 * passed on. A row whose record cannot be read is not sent, nor are the later rows of its Id.
 */
export async function* backUpBeforeUpdate(rows: AsyncIterable<SendItem>, options: BackUpOptions): AsyncGenerator<SendItem> {
  const { backup } = options;
  // Ids whose read is requested and whose first row has not come back from it yet (at most the reads in flight).
  const pending = new IdSet();
  // The Ids read (or being read) in this run, without a string set of every Id: those pending, those that
  // could not be read, and those the backup file holds (with `refuse`: holds from a read in this run).
  // Each is exact (the backup confirms its digests against the file), so an Id is never taken as read,
  // and its rows passed on not backed up, because another Id was.
  const requested = {
    has: (id: string): boolean => pending.has(id) || unreadable.has(id) || (options.refuse ? backup.readInRun(id) : backup.has(id)),
    add: (id: string): void => {
      pending.add(id);
    },
  };
  // Ids whose record could not be read: their later rows are not sent either. Only failed Ids are kept.
  const unreadable = new IdMap<NotBackedUp>();

  const read = async (ids: string[]): Promise<ReadBatch> => {
    const batch = await options.read(ids);
    if (!batch.ok) return batch;
    const records: ReadRecord[] = [];
    for (const id of ids) {
      const found = batch.records.get(id);
      if (found) records.push(found.record);
    }
    try {
      await backup.add(records);
      // The backup knows these Ids from now on. With `refuse`, every Id is read once in this run, also one an
      // earlier run backed up: the backup then says it was read in this run.
    } catch (error) {
      options.onWriteError?.(error as Error);
      return { ok: false, call: batch.last, errorCode: 'BACKUP_UNWRITABLE', errorMessage: (error as Error).message };
    }
    return batch;
  };

  const stream = readAhead(rows, {
    idOf: (item) => {
      const { id } = item.update;
      // An Id the backup holds from the run `--resume` continues is read again when `refuse` needs Zuora's current value.
      if (requested.has(id) || (backup.has(id) && !options.refuse)) return undefined;
      requested.add(id);
      return id;
    },
    read,
    signal: options.signal,
  });
  for await (const { item, read: result } of stream) {
    const { id } = item.update;
    // The row that carried its Id's read: from here on the backup (or `unreadable`) answers for the Id.
    // A read the stopped run never sent stays pending: later rows of the Id are passed on as before.
    if (result?.kind === 'found') pending.delete(id);
    if (result === undefined) {
      const earlier = unreadable.get(id);
      if (earlier) {
        options.onNotSent(item, { ...earlier, errorMessage: `not sent: an earlier row of this Id could not be backed up (${earlier.errorMessage})` });
        continue;
      }
      if (!options.refuse?.(item, undefined)) yield item;
      continue;
    }
    if (result.kind === 'found') {
      if (!options.refuse?.(item, result.record)) yield item;
      continue;
    }
    if (result.kind === 'failed' && result.failure.notSent) continue;
    const why: NotBackedUp =
      result.kind === 'not-found'
        ? { errorCode: 'NOT_FOUND', errorMessage: `Zuora has no usage record with Id ${id}; not sent`, call: result.call }
        : {
            errorCode: result.failure.errorCode,
            errorMessage: `could not read the record to back it up, so it was not sent: ${result.failure.errorMessage}`,
            call: result.failure.call,
          };
    unreadable.set(id, why);
    pending.delete(id);
    options.onNotSent(item, why);
  }
}
