import type { ReadRecord } from '../read/usage-query.js';
import type { IdTable } from '../resume/id-table.js';
import { IdMap } from '../rows/id-case.js';
import type { RowOutcome } from '../row-outcome.js';
import type { SendItem } from '../send/transport.js';
import { createQuantityLedger, type QuantityTotals } from './quantity-totals.js';

/**
 * The quantity change of a real run that reads records before changing them (`--backup`): each Id's
 * quantity and unit as backed up, and as the rows Zuora answered `updated` leave them, per unit and
 * per account (the report's "Quantity change"). A row counts only once Zuora answered it success, so
 * the totals never claim a change Zuora did not confirm; the top rows are per Id (its net change, at
 * the line of its last updated row).
 *
 * Outcomes of one Id may be recorded out of file order (a row waiting for its read-back while the next
 * row of the Id is answered), so each field keeps the value of the latest row by position. An Id is
 * added up once all its rows have an outcome (`rowsPerId`, the input's rows per Id counted first, read
 * and never changed here), and the Ids still open when the report is written; memory holds only Ids
 * with rows in flight.
 */
export interface RunQuantities {
  /** A record read (and backed up) before the run changed it. */
  read(record: ReadRecord): void;
  /** A row handed to the transport: its Quantity and UOM as sent. */
  sent(item: SendItem): void;
  /** A row's outcome, as written to the results. */
  recorded(outcome: RowOutcome): void;
  /** The totals so far, the open Ids included. */
  totals(): QuantityTotals;
  /** Ids whose state is held now (for the memory they cost). */
  readonly held: number;
}

interface Latest {
  seq: number;
  value: string;
}

interface IdState {
  record: ReadRecord;
  /** Rows of the Id without an outcome yet (from `rowsPerId` when read: no row of it has gone by then). */
  left: number;
  Quantity?: Latest;
  UOM?: Latest;
  /** Line of the latest updated row. */
  line?: Latest;
}

export function createRunQuantities(rowsPerId: IdTable): RunQuantities {
  const ledger = createQuantityLedger();
  // By Id without letter case: the read's record has Zuora's spelling, a row may have another.
  const states = new IdMap<IdState>();
  // Rows on their way (at most the rows the pool admits), by position: the fields they carry.
  const inFlight = new Map<number, { Quantity?: string; UOM?: string }>();

  const close = (id: string, state: IdState): void => {
    states.delete(id);
    if (!state.line) return;
    const to: Record<string, string> = { ...state.record };
    if (state.Quantity) to.Quantity = state.Quantity.value;
    if (state.UOM) to.UOM = state.UOM.value;
    ledger.change({ line: Number(state.line.value), id, from: state.record, to });
  };
  const later = (held: Latest | undefined, seq: number, value: string | undefined): Latest | undefined =>
    value === undefined || value.trim() === '' || (held && held.seq > seq) ? held : { seq, value };

  return {
    read(record) {
      const id = record.Id;
      if (id === undefined || states.has(id)) return;
      ledger.read(record);
      // A count of its own: --skip-unchanged counts the same table down as its rows are answered.
      states.set(id, { record, left: rowsPerId.get(id) ?? 1 });
    },
    sent(item) {
      if (!states.has(item.update.id)) return;
      const { fields } = item.update;
      inFlight.set(item.seq, { Quantity: fields.Quantity, UOM: fields.UOM });
    },
    recorded(outcome) {
      const carried = inFlight.get(outcome.seq);
      inFlight.delete(outcome.seq);
      const state = states.get(outcome.id);
      if (!state) return;
      if (outcome.result === 'updated' && carried) {
        state.Quantity = later(state.Quantity, outcome.seq, carried.Quantity);
        state.UOM = later(state.UOM, outcome.seq, carried.UOM);
        state.line = later(state.line, outcome.seq, String(outcome.line));
      }
      // A malformed record was not counted per Id (countRowsPerId).
      if (outcome.errorCode === 'MALFORMED_RECORD') return;
      state.left--;
      if (state.left <= 0) close(outcome.id, state);
    },
    totals() {
      for (const state of [...states.values()]) close(state.record.Id as string, state);
      return ledger.totals();
    },
    get held() {
      return states.size;
    },
  };
}
