import { randomUUID } from 'node:crypto';
import { RunError } from '../errors.js';
import { batchRows } from './batch-rows.js';
import { postUpdateBatch, type BatchRow } from './post-update-batch.js';
import type { Transport } from './transport.js';
import type { CallContext, SendResult } from './zuora-call.js';

/** `--transport actions`: calls in flight, rows per call and the calls' track ids. */
export interface ActionsTransportOptions {
  /** Most calls in flight at once (-c). */
  concurrency: number;
  /** Most rows a call carries, 1 to 50 (`--batch-size`). */
  batchSize: number;
  /** Prefix of the calls' `Zuora-Track-Id`s: `<prefix>-b<n>`, n counting the run's update calls from 1. */
  trackPrefix: string;
  /**
   * How long a partial call waits for more rows, in ms. Default 50: well below a request's round trip,
   * and long enough that a reader slowed by a busy CPU (or warming up) still fills its calls.
   */
  lingerMs?: number;
  /** A new call's `Idempotency-Key`. Default: a random UUID (never reused across runs, even with a fixed --track-prefix). */
  newKey?: () => string;
}

/**
 * The Actions transport: rows in one at a time, as the pool hands them over; calls of many rows out.
 * `send` resolves once a call settled the row (after "try later" calls too); `inputEnded` lets a
 * partial call leave at once (batch-rows.ts). Holds the rows in flight and two calls' worth more: 4 x -c
 * x 50 rows living through whole round trips would grow the heap well past the memory target (BENCHMARKS.md).
 */
export interface ActionsTransport extends Transport {
  /** Stops the linger timer (every row has settled by then). */
  close(): void;
}

interface WaitingRow extends BatchRow {
  settle(result: SendResult): void;
}

/**
 * Sends rows through `POST /v1/action/update`, many a call. It plugs into the same pool as the PUT
 * (send-updates.ts: backpressure, same-Id chaining, results as rows finish) by keeping the PUT's shape,
 * one promise per row: a row's promise resolves only once a call settled it, so the pool never hands
 * over the next row of its Id while a call may still carry it, and a row answered "try later" goes back
 * into a later call after its backoff, still holding its Id.
 */
export function createActionsTransport(ctx: CallContext, options: ActionsTransportOptions): ActionsTransport {
  const newKey = options.newKey ?? randomUUID;
  let calls = 0;

  const sendCall = async (rows: WaitingRow[]): Promise<void> => {
    calls++;
    const ids = { trackId: `${options.trackPrefix}-b${calls}`, idempotencyKey: newKey() };
    let verdicts;
    try {
      verdicts = await postUpdateBatch(rows, ids, ctx);
    } catch (error) {
      // A bug must not leave rows waiting forever: it becomes their result, as the pool does for a PUT.
      const errorMessage = error instanceof Error ? error.message : String(error);
      for (const row of rows) row.settle({ result: 'failed', attempts: row.attempts, errorCode: 'CLIENT_ERROR', errorMessage });
      return;
    }
    verdicts.forEach((verdict, i) => {
      const row = rows[i] as WaitingRow;
      if ('settled' in verdict) row.settle(verdict.settled);
      else void sendAgain(row, verdict.again, verdict.delayMs);
    });
  };

  const batcher = batchRows<WaitingRow>({
    batchSize: options.batchSize,
    lingerMs: options.lingerMs ?? 50,
    idOf: (row) => row.update.id,
    send: (rows) => void sendCall(rows),
  });

  const sendAgain = async (row: WaitingRow, last: SendResult, delayMs: number): Promise<void> => {
    row.attempts = last.attempts;
    row.last = last;
    ctx.logger.debug({ id: row.update.id, trackId: last.trackId, attempts: last.attempts, code: last.errorCode, delayMs }, 'object answered "try later"; sending it again in a later call');
    await ctx.sleep(delayMs, ctx.stopSignal);
    if (ctx.stopSignal?.aborted) row.settle(last);
    else batcher.add(row);
  };

  const rowsInFlight = options.concurrency * options.batchSize;
  return {
    send: (item) => new Promise<SendResult>((settle) => batcher.add({ update: item.update, attempts: 0, settle })),
    rowsInFlight,
    rowsAdmitted: rowsInFlight + 2 * options.batchSize,
    inputEnded: () => batcher.inputEnded(),
    close: () => batcher.close(),
  };
}

/** Fields an Actions update cannot set: SOAP treats `RbeStatus` as read-only (ZUORA-API-NOTES.md "Actions"). */
export const ACTIONS_READ_ONLY_FIELDS: readonly string[] = ['RbeStatus'];

/**
 * Refuses, before anything is sent, an input that `--transport actions` cannot carry: a column the
 * Actions update cannot set (RunError BAD_OPTION, exit 1).
 */
export function checkActionsColumns(columns: ReadonlyArray<{ field: string; header: string }>): void {
  const readOnly = columns.filter((column) => ACTIONS_READ_ONLY_FIELDS.includes(column.field));
  if (readOnly.length === 0) return;
  const named = readOnly.map((column) => (column.header === column.field ? column.field : `${column.header} (${column.field})`)).join(', ');
  throw new RunError(
    'BAD_OPTION',
    `--transport actions cannot update ${named}: Zuora's Actions update treats it as read-only. Use --transport put for this file, or remove the column.`,
  );
}
