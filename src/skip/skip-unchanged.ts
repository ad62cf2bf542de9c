/**
 * `--skip-unchanged` (SPEC "Export and difference-only apply"): each Id is read first, batched 200 a
 * request (the `--backup` read serves both when both are given), and a row whose every non-empty cell
 * already equals Zuora's value is not sent: `unchanged`, attempts 0, the read call's track and request
 * ids. A later row of an Id is judged only once the earlier rows of that Id are answered (the sender
 * never has two rows of an Id in flight and keeps file order), against what they left: an `updated`
 * row left its values, a `failed` one nothing, an `unknown` one an Id in doubt whose later rows are sent.
 */

import { differences, tenantOffsetOf } from '../read/compare.js';
import type { ReadBatch, ReadCall } from '../read/query-usage.js';
import { readAhead } from '../read/read-ahead.js';
import type { ReadRecord } from '../read/usage-query.js';
import type { IdTable } from '../resume/id-table.js';
import { withSend, type Transport, type SendItem } from '../send/transport.js';

/** What is known of one Id: Zuora's record as read, and what the rows answered so far left. */
interface IdState {
  record: ReadRecord;
  call: ReadCall;
  offset: number | undefined;
  /** The record as the rows of this Id answered `updated` so far left it. */
  now: Record<string, string>;
  /** An earlier row's outcome is unknown: what Zuora holds is not known, so every later row is sent. */
  inDoubt: boolean;
}

/** Why a row is not sent because its record could not be read. */
export interface NotRead {
  errorCode: string;
  errorMessage: string;
  call: ReadCall;
}

/** The judgement on a row about to be sent. */
export type SkipVerdict = { send: true } | { send: false; call: ReadCall };

/**
 * Whether a row changes anything, given what its Id holds now (pure). A field an earlier row of the Id
 * set carries that row's text, so a cell without offset is read in the record's tenant offset.
 *
 * A quantity exactly 1000 × Zuora's (QUANTITY_TIMES_1000) never gets here: readFirst's `refuse` (or the
 * backup's, when the backup read serves both) holds such a row back before the sender.
 */
export function changesSomething(fields: Readonly<Record<string, string>>, state: Pick<IdState, 'record' | 'now' | 'offset'>): boolean {
  const setByEarlierRows = (field: string): boolean => state.now[field] !== state.record[field];
  const pick = (earlier: boolean): Record<string, string> => Object.fromEntries(Object.entries(fields).filter(([field]) => setByEarlierRows(field) === earlier));
  return differences(pick(false), state.now).length > 0 || differences(pick(true), state.now, state.offset).length > 0;
}

export interface SkipUnchanged {
  /** Wraps a batch read so the records it finds are kept for judging (the backup's read serves both). */
  capture(read: (ids: string[]) => Promise<ReadBatch>): (ids: string[]) => Promise<ReadBatch>;
  /**
   * Reads the Ids no earlier stage read, 200 a request, ahead of the sender; a row whose record cannot
   * be read is not sent (nor the later rows of its Id): `onNotSent`.
   */
  readFirst(
    rows: AsyncIterable<SendItem>,
    options: {
      read(ids: string[]): Promise<ReadBatch>;
      onNotSent(item: SendItem, why: NotRead): void;
      /** Holds back a row the read shows to be wrong (QUANTITY_TIMES_1000); the callee records it. */
      refuse?(item: SendItem, record: ReadRecord | undefined): boolean;
      signal?: AbortSignal;
    },
  ): AsyncGenerator<SendItem>;
  /** The transport with the judgement before it: a row that changes nothing is answered `unchanged` without a request. */
  wrap(transport: Transport): Transport;
  /** Rows answered `unchanged`. */
  readonly skipped: number;
  /** Ids whose state is held now (for the memory they cost). */
  readonly held: number;
}

/**
 * Holds a few fields per Id from its read until its last row is answered. With `rowsPerId` (the
 * input's rows counted per Id before the run, countRowsPerId) an entry goes after the Id's last row,
 * so a file of distinct Ids keeps only the rows in flight; without it, every entry stays.
 */
export function createSkipUnchanged(options: { rowsPerId?: IdTable } = {}): SkipUnchanged {
  const { rowsPerId } = options;
  const states = new Map<string, IdState>();
  let skipped = 0;
  const keyOf = (id: string): string => id.toLowerCase();
  /** Counts down the Id's rows; after its last one, nothing of it is kept. */
  const handled = (id: string): void => {
    const left = rowsPerId?.get(id);
    if (left === undefined || left <= 0) return;
    rowsPerId?.add(id, left - 1);
    if (left === 1) states.delete(keyOf(id));
  };

  return {
    capture(read) {
      return async (ids) => {
        const batch = await read(ids);
        if (batch.ok) {
          for (const { record, call } of batch.records.values()) {
            const key = keyOf(record.Id ?? '');
            if (key !== '' && !states.has(key)) states.set(key, { record, call, offset: tenantOffsetOf(record), now: { ...record }, inDoubt: false });
          }
        }
        return batch;
      };
    },

    async *readFirst(rows, { read, onNotSent, refuse, signal }) {
      const requested = new Set<string>();
      // Ids whose record could not be read: their later rows are not sent either. Only failed Ids are kept.
      const unreadable = new Map<string, NotRead>();
      const stream = readAhead(rows, {
        idOf: (item) => {
          const key = keyOf(item.update.id);
          if (states.has(key) || requested.has(key) || unreadable.has(key)) return undefined;
          requested.add(key);
          return item.update.id;
        },
        read: async (ids) => {
          const batch = await read(ids);
          for (const id of ids) requested.delete(keyOf(id));
          return batch;
        },
        signal,
      });
      for await (const { item, read: result } of stream) {
        const key = keyOf(item.update.id);
        if (result === undefined || result.kind === 'found') {
          const earlier = unreadable.get(key);
          if (earlier) {
            onNotSent(item, { ...earlier, errorMessage: `not sent: the record of an earlier row of this Id could not be read (${earlier.errorMessage})` });
            continue;
          }
          if (!refuse?.(item, result?.record)) yield item;
          continue;
        }
        if (result.kind === 'failed' && result.failure.notSent) continue;
        const why: NotRead =
          result.kind === 'not-found'
            ? { errorCode: 'NOT_FOUND', errorMessage: `Zuora has no usage record with Id ${item.update.id}; not sent`, call: result.call }
            : { errorCode: result.failure.errorCode, errorMessage: `could not read the record to compare it (--skip-unchanged), so it was not sent: ${result.failure.errorMessage}`, call: result.failure.call };
        unreadable.set(key, why);
        onNotSent(item, why);
      }
    },

    wrap(transport) {
      return withSend(transport, async (item) => {
        const { id, fields } = item.update;
        const state = states.get(keyOf(id));
        if (state !== undefined && !state.inDoubt && !changesSomething(fields, state)) {
          skipped++;
          handled(id);
          const { call } = state;
          return { result: 'unchanged', attempts: 0, trackId: call.trackId, ...(call.requestId === undefined ? {} : { requestId: call.requestId }), ...(call.httpStatus === undefined ? {} : { httpStatus: call.httpStatus }) };
        }
        const result = await transport.send(item);
        if (state !== undefined) {
          if (result.result === 'updated') Object.assign(state.now, fields);
          else if (result.result === 'unknown') state.inDoubt = true;
        }
        if (result.result !== 'not-sent') handled(id);
        return result;
      });
    },
    get skipped() {
      return skipped;
    },
    get held() {
      return states.size;
    },
  };
}
