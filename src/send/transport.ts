import type { UsageFields } from '../rows/map-row.js';
import type { SendResult } from './zuora-call.js';

/** One valid row's update: which record, what to set, and the row's own track id. */
export interface UsageUpdate {
  id: string;
  /** The fields to set, in column order, as map-row.ts read them (serialised by the transport, usage-json.ts). */
  fields: UsageFields;
  /** `Zuora-Track-Id`, the same on every attempt of this row. */
  trackId: string;
}

/** A valid row on its way to Zuora. */
export interface SendItem {
  seq: number;
  line: number;
  /** The input cells, carried along for the results row. */
  cells: string[];
  update: UsageUpdate;
}

/**
 * How rows reach Zuora: one PUT a row (put-transport.ts) or Actions calls of many rows
 * (actions-transport.ts). The pool (send-updates.ts) hands every row to `send` and sizes itself by the
 * capacity; the stages that watch what is sent (Ids in doubt, `--verify`, `--skip-unchanged`) wrap a
 * Transport and are one in turn.
 */
export interface Transport {
  /**
   * Sends one row with its retries; resolves once its result is known. Never throws for the row's own
   * failure: the answer becomes the result (`not-sent` when the run stopped before its first attempt).
   */
  send(item: SendItem): Promise<SendResult>;
  /** Rows the transport carries in flight at once: the pool's size (-c requests, times the rows a request carries). */
  readonly rowsInFlight: number;
  /**
   * Rows the pool may hold at once, in flight or taken ahead from the input, so the next rows are ready
   * without the heap growing with the file.
   */
  readonly rowsAdmitted: number;
  /** No more rows will come from the input (a transport gathering rows into calls need not wait for more). */
  inputEnded(): void;
}

/** `transport` with `send` in place of its own (a stage that watches or answers rows before they are sent). */
export function withSend(transport: Transport, send: Transport['send']): Transport {
  return { send, rowsInFlight: transport.rowsInFlight, rowsAdmitted: transport.rowsAdmitted, inputEnded: () => transport.inputEnded() };
}
