import { differences } from '../read/compare.js';
import type { ReadBatch } from '../read/query-usage.js';
import { QUERY_ID_LIMIT, type ReadRecord } from '../read/usage-query.js';
import type { UsageFields } from '../rows/map-row.js';
import { withSend, type Transport, type SendItem } from '../send/transport.js';
import type { SendResult } from '../send/zuora-call.js';
import { IdMap, IdSet } from '../rows/id-case.js';

/** What the read-back made of a row. */
export type VerifyVerdict =
  /** Zuora holds what the row sent (or what later rows of its Id, answered success, sent instead). */
  | 'verified'
  /** `updated`, but later rows of its Id answered success set every field it sent: nothing left to compare. */
  | 'not-compared'
  /** Zuora holds other values: the row is now `failed` VERIFY_MISMATCH. */
  | 'mismatch'
  /** `updated`, but the read-back could not be done: NOT_VERIFIED. */
  | 'not-verified'
  /** An `unknown` row read back: `updated` VERIFIED_AFTER_UNKNOWN when Zuora holds its values, else still `unknown`. */
  | 'settled-unknown'
  | 'still-unknown'
  /** Not read back: the row was `failed`. */
  | 'not-read';

/** Where the verifier reads and where settled rows go. */
export interface VerifyOptions {
  /** Reads up to 200 ids (the run's UsageReader with this input's fields). */
  read(ids: string[]): Promise<ReadBatch>;
  /** Every answered row, once, with its final result. */
  onSettled(item: SendItem, result: SendResult, verdict: VerifyVerdict): void;
  /** Ids per read. Default 200. */
  batchSize?: number;
  /**
   * Longest a row waits for its read-back batch to fill, in ms. Default 2000: a fast run fills batches
   * of 200 long before; a slow (rate-limited) one spends fewer requests on reads.
   */
  lingerMs?: number;
}

/** `--verify`: tracks what each row sent and reads it back. */
export interface Verifier {
  /** Wraps the transport so the verifier knows which rows of an Id were sent after which. */
  track(transport: Transport): Transport;
  /** A row was answered: `updated` and `unknown` rows are read back, the others settle at once. */
  answered(item: SendItem, result: SendResult): void;
  /** Rows waiting for their read-back. */
  readonly waiting: number;
  readonly counts: { verified: number; mismatches: number; notVerified: number; verifiedAfterUnknown: number; notCompared: number };
  /** Reads back what is still waiting and settles every row. */
  close(): Promise<void>;
}

interface Waiting {
  item: SendItem;
  result: SendResult;
  /** Which row of its Id this was, counting rows started while the Id has rows in flight or waiting. */
  index: number;
}

/**
 * Rows of one Id started while some row of it is in flight or waiting, with the fields each sets and
 * whether Zuora answered it success (`pending` while in flight): only a success sets anything.
 */
interface IdLog {
  started: number;
  open: number;
  sent: Array<{ index: number; fields: string[]; answer: 'pending' | 'success' | 'other' }>;
  /** Rows read back while a later row of the Id was still in flight: settled once it is answered. */
  deferred: Array<{ entry: Waiting; read: ReadBatch }>;
}

/**
 * Reads every updated (and unknown) row's record back, in batches of up to 200 ids, and compares it
 * with what the row sent. A later row of the same Id may already have changed a field by the time of
 * the read: such fields are left out of the comparison (a later row never makes an earlier one a
 * mismatch); they are checked on that later row. Memory is bounded by the rows in flight and waiting.
 */
export function createVerifier(options: VerifyOptions): Verifier {
  const size = options.batchSize ?? QUERY_ID_LIMIT;
  const lingerMs = options.lingerMs ?? 2000;
  const logs = new IdMap<IdLog>();
  /** Which row of its Id each row sent is (IdLog `started`), by the row's `seq`, until it is answered. */
  const indexOf = new Map<number, number>();
  const reads = new Set<Promise<void>>();
  let batch: Waiting[] = [];
  let ids = new IdSet();
  let timer: NodeJS.Timeout | undefined;
  let waiting = 0;
  const counts = { verified: 0, mismatches: 0, notVerified: 0, verifiedAfterUnknown: 0, notCompared: 0 };

  const release = (id: string): void => {
    const log = logs.get(id);
    if (log && --log.open <= 0) logs.delete(id);
  };

  const settle = (entry: Waiting, read: ReadBatch): void => {
    const { item, result } = entry;
    const { id } = item.update;
    const log = logs.get(id);
    // A later row still in flight may or may not have been applied before the read: wait for its answer.
    const laterRows = (log?.sent ?? []).filter((sent) => sent.index > entry.index);
    if (log && laterRows.some((sent) => sent.answer === 'pending')) {
      log.deferred.push({ entry, read });
      return;
    }
    // Only a later row Zuora answered success set a field; one that failed or got no answer covers nothing.
    const later = new Set<string>();
    for (const sent of laterRows) if (sent.answer === 'success') for (const field of sent.fields) later.add(field);
    const compared: UsageFields = later.size === 0 ? item.update.fields : Object.fromEntries(Object.entries(item.update.fields).filter(([field]) => !later.has(field)));
    waiting--;
    release(id);
    const updated = result.result === 'updated';
    if (!read.ok) {
      if (!updated) return options.onSettled(item, result, 'still-unknown');
      counts.notVerified++;
      const why = read.notSent ? 'the run stopped before the read-back' : `the read-back failed: ${read.errorMessage}`;
      return options.onSettled(item, { ...result, errorCode: 'NOT_VERIFIED', errorMessage: `Zuora answered success, but ${why}` }, 'not-verified');
    }
    const found = read.records.get(id);
    const record: ReadRecord | undefined = found?.record;
    const diffs = record ? differences(compared, record) : [];
    const trackId = found?.call.trackId ?? read.last.trackId;
    if (updated) {
      if (record && Object.keys(compared).length === 0) {
        counts.notCompared++;
        return options.onSettled(item, result, 'not-compared');
      }
      if (record && diffs.length === 0) {
        counts.verified++;
        return options.onSettled(item, result, 'verified');
      }
      counts.mismatches++;
      const message = record
        ? `Zuora answered success but holds other values: ${diffs.map((d) => `${d.field} sent ${show(d.row)}, read ${show(d.zuora)}`).join('; ')} (read back by ${trackId})`
        : `Zuora answered success but has no usage record with Id ${id} any more (read back by ${trackId})`;
      return options.onSettled(item, { ...result, result: 'failed', errorCode: 'VERIFY_MISMATCH', errorMessage: message }, 'mismatch');
    }
    if (record && diffs.length === 0 && Object.keys(compared).length > 0) {
      counts.verifiedAfterUnknown++;
      const message = `no answer came (${result.errorCode ?? 'unknown'}), but the read-back shows Zuora holds the values sent (read back by ${trackId})`;
      return options.onSettled(item, { ...result, result: 'updated', errorCode: 'VERIFIED_AFTER_UNKNOWN', errorMessage: message }, 'settled-unknown');
    }
    options.onSettled(item, result, 'still-unknown');
  };

  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (batch.length === 0) return;
    const entries = batch;
    const wanted = [...ids];
    batch = [];
    ids = new IdSet();
    const reading = options
      .read(wanted)
      .catch((error: unknown): ReadBatch => ({ ok: false, call: { trackId: '' }, errorCode: 'CLIENT_ERROR', errorMessage: error instanceof Error ? error.message : String(error) }))
      .then((read) => {
        for (const entry of entries) settle(entry, read);
      })
      .finally(() => reads.delete(reading));
    reads.add(reading);
  };

  return {
    track(transport) {
      return withSend(transport, async (item) => {
        const { id, fields } = item.update;
        const log: IdLog = logs.get(id) ?? { started: 0, open: 0, sent: [], deferred: [] };
        logs.set(id, log);
        const index = ++log.started;
        log.open++;
        const sent: IdLog['sent'][number] = { index, fields: Object.keys(fields), answer: 'pending' };
        log.sent.push(sent);
        indexOf.set(item.seq, index);
        const result = await transport.send(item);
        sent.answer = result.result === 'updated' ? 'success' : 'other';
        // Earlier rows read back while this one was in flight can be judged now.
        if (log.deferred.length > 0) {
          const deferred = log.deferred;
          log.deferred = [];
          for (const { entry, read } of deferred) settle(entry, read);
        }
        // A row that was never sent changes nothing; one that is not read back is done with.
        if (result.result !== 'updated' && result.result !== 'unknown') {
          if (result.result === 'not-sent') {
            log.sent = log.sent.filter((sent) => sent.index !== index);
            // Never answered to the verifier: the pool settles rows that were sent only.
            indexOf.delete(item.seq);
          }
          release(id);
        }
        return result;
      });
    },
    answered(item, result) {
      const index = indexOf.get(item.seq) ?? 0;
      indexOf.delete(item.seq);
      if (result.result !== 'updated' && result.result !== 'unknown') return options.onSettled(item, result, 'not-read');
      waiting++;
      batch.push({ item, result, index });
      ids.add(item.update.id);
      if (ids.size >= size) flush();
      else timer ??= setTimeout(flush, lingerMs);
    },
    get waiting() {
      return waiting;
    },
    counts,
    async close() {
      flush();
      while (reads.size > 0) await Promise.all([...reads]);
    },
  };
}

function show(value: string | undefined): string {
  return value === undefined || value === '' ? '(empty)' : value;
}
