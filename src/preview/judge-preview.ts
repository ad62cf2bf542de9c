import { UPDATABLE_FIELDS } from '../input/columns.js';
import { spreadsheetSafe } from '../output/spreadsheet-safe.js';
import { differences, parseDecimal, subtractDecimals, tenantOffsetOf, type Decimal } from '../read/compare.js';
import type { ReadCall } from '../read/query-usage.js';
import type { ItemRead } from '../read/read-ahead.js';
import type { ReadRecord } from '../read/usage-query.js';
import type { IdTable } from '../resume/id-table.js';
import { quantityTimes1000, type Times1000Options } from '../read/times-1000.js';
import { IdMap, IdSet } from '../rows/id-case.js';

/** What `--preview` says of a valid row (an `invalid` row never gets here). */
export interface PreviewVerdict {
  result: 'would-update' | 'unchanged' | 'blocked' | 'not-found' | 'failed' | 'invalid';
  errorCode?: string;
  errorMessage?: string;
  /** Zuora's value of each previewed field, as it answered it ('' when absent or unread); text fields formula-safe. */
  before: string[];
  /**
   * The fields the row would change, `Quantity 5 → 7.5; UOM Each → GB`, judged against what the earlier
   * rows of its Id leave, saying so where an earlier row is the reason; '' when there is nothing to say.
   */
  changes?: string;
  /** New minus old quantity of a `would-update` row that sets Quantity. */
  quantityChange?: Decimal;
  /** The read call that answered for this Id (the first row's, for later rows of the Id). */
  call?: ReadCall;
  /** A `would-update` row: the record as the earlier rows leave it, and as this row would leave it (the quantity totals). */
  transition?: { from: ReadRecord; to: ReadRecord };
}

const STANDARD = new Set<string>(UPDATABLE_FIELDS);

/** What Zuora holds for an Id, and what it would hold after the rows previewed so far. */
interface IdState {
  record: ReadRecord;
  call: ReadCall;
  /** The record as the earlier rows of this Id would leave it, once one of them changes it. */
  now?: Record<string, string>;
  /** The input line of the earlier row that last set each field of `now`. */
  setBy?: Record<string, number>;
  offset: number | undefined;
}

/** How the preview judges quantities: `--allow-times-1000`, and `--decimal-comma` for the messages. */
export interface PreviewQuantityOptions extends Times1000Options {
  allowTimes1000?: boolean;
}

export interface PreviewJudge {
  /** Whether rows of this Id still need a read: the first row of each Id does; later ones reuse it. */
  needsRead(id: string): boolean;
  /**
   * The verdict on one row (`fields`: field -> value as it would be sent) given its read, or
   * undefined for a later row of an Id whose first row carried the read.
   */
  judge(id: string, fields: Readonly<Record<string, string>>, read: ItemRead | undefined, line?: number): PreviewVerdict;
  /** Ids whose read record is held now (for the memory they cost). */
  readonly held: number;
}

/**
 * Judges rows in file order against Zuora's current values. `columns` are the updatable fields the
 * input has a column for, in input order (the `before_<Field>` columns). A later row of an Id is
 * compared with the record as the earlier rows would leave it, as a real run would apply them.
 *
 * Holds an entry per Id (the few fields read, about 200 bytes) while a later row of it may come. With
 * `rowsPerId` (the input's rows counted per Id before the preview starts, countRowsPerId) an entry goes
 * after the Id's last row, so a file of distinct Ids keeps none; without it, every entry stays.
 */
export function createPreviewJudge(columns: readonly string[], rowsPerId?: IdTable, quantities: PreviewQuantityOptions = {}): PreviewJudge {
  const states = new IdMap<IdState | { missing: Extract<ItemRead, { kind: 'not-found' | 'failed' }> }>();
  const withCall = (verdict: PreviewVerdict, call: ReadCall): PreviewVerdict => ({ ...verdict, call });
  const requested = new IdSet();
  /** Rows of the Id still to come by the count; undefined without a count or for an Id it did not see. */
  const rowsLeft = (id: string): number | undefined => rowsPerId?.get(id);
  /** Counts down the Id's rows; after its last one, nothing of it is kept. */
  const judged = (id: string): void => {
    const left = rowsLeft(id);
    if (left === undefined || left <= 0) return;
    rowsPerId?.add(id, left - 1);
    if (left > 1) return;
    states.delete(id);
    requested.delete(id);
  };
  return {
    needsRead(id) {
      // An Id whose rows are all judged has no row left to read for (a further one is INPUT_CHANGED).
      if (requested.has(id) || rowsLeft(id) === 0) return false;
      requested.add(id);
      return true;
    },
    judge(id, fields, read, line) {
      if (rowsLeft(id) === 0) {
        // More rows of this Id than the file had when the preview started: the file changed meanwhile,
        // and what the earlier rows would leave is no longer held.
        return { result: 'failed', errorCode: 'INPUT_CHANGED', errorMessage: `the input file changed during the preview (a row of Id ${id} that was not there when it started); preview again`, before: columns.map(() => '') };
      }
      const verdict = judgeRow(id, fields, read, line);
      judged(id);
      return verdict;
    },
    get held() {
      return states.size;
    },
  };

  function judgeRow(id: string, fields: Readonly<Record<string, string>>, read: ItemRead | undefined, line: number | undefined): PreviewVerdict {
    if (read !== undefined) {
      states.set(
        id,
        read.kind === 'found' ? { record: read.record, call: read.call, offset: tenantOffsetOf(read.record) } : { missing: read },
      );
    }
    const state = states.get(id);
    if (state === undefined) {
      return { result: 'failed', errorCode: 'NOT_READ', errorMessage: 'the record was not read (the run stopped first)', before: columns.map(() => '') };
    }
    if ('missing' in state) {
      const before = columns.map(() => '');
      if (state.missing.kind === 'not-found') {
        return withCall({ result: 'not-found', errorCode: 'NOT_FOUND', errorMessage: `Zuora has no usage record with Id ${id}`, before }, state.missing.call);
      }
      const { failure } = state.missing;
      return withCall({ result: 'failed', errorCode: failure.errorCode, errorMessage: `could not read the record: ${failure.errorMessage}`, before }, failure.call);
    }
    const before = columns.map((field) => beforeCell(field, state.record[field]));
    const now = state.now ?? state.record;
    // A quantity a spreadsheet multiplied by 1000 is a file error, whatever the record's status: never sent.
    const times1000 = quantities.allowTimes1000 ? undefined : quantityTimes1000(fields.Quantity, fields.UOM, now.Quantity, now.UOM, quantities);
    if (times1000) return withCall({ result: 'invalid', ...times1000, before }, state.call);
    const standard = Object.keys(fields).filter((field) => STANDARD.has(field));
    if (now.RbeStatus === 'Processed' && standard.length > 0) {
      return withCall({
        result: 'blocked',
        errorCode: 'BILLED',
        errorMessage: `the record is billed (RbeStatus Processed): Zuora refuses ${standard.join(', ')}, which a real run sends even when unchanged; only custom fields can change`,
        before,
      }, state.call);
    }
    // Zuora's own values carry the tenant's offset at their date (it changes with daylight saving); a
    // value an earlier row set may carry any offset, so a cell without one is read in the record's.
    const setByEarlierRows = (field: string): boolean => now[field] !== state.record[field];
    const pick = (earlier: boolean) => Object.fromEntries(Object.entries(fields).filter(([field]) => setByEarlierRows(field) === earlier));
    const changed = [...differences(pick(false), now), ...differences(pick(true), now, state.offset)];
    const earlier = (field: string): string => `line ${state.setBy?.[field] ?? '?'} of this Id`;
    if (changed.length === 0) {
      // Unchanged only because an earlier row of the Id sets these values first: say so.
      const setEarlier = Object.entries(pick(true)).filter(([field, value]) => differences({ [field]: value }, state.record).length > 0);
      const changes = setEarlier.map(([field]) => `no change: ${earlier(field)} already sets ${field} ${show(now[field])}`).join('; ');
      return withCall({ result: 'unchanged', before, changes }, state.call);
    }
    const changes = changed
      .map((d) => `${d.field} ${show(d.zuora)} → ${show(d.row)}${setByEarlierRows(d.field) ? ` (${show(d.zuora)} set by ${earlier(d.field)})` : ''}`)
      .join('; ');
    let quantityChange: Decimal | undefined;
    const newQuantity = fields.Quantity === undefined ? undefined : parseDecimal(fields.Quantity);
    if (newQuantity !== undefined && changed.some((d) => d.field === 'Quantity')) {
      quantityChange = subtractDecimals(newQuantity, parseDecimal(now.Quantity ?? '0') ?? { units: 0n, scale: 0 });
    }
    state.now = { ...now, ...fields };
    if (line !== undefined) state.setBy = { ...state.setBy, ...Object.fromEntries(Object.keys(fields).map((field) => [field, line])) };
    const transition = { from: now, to: state.now };
    return withCall(quantityChange === undefined ? { result: 'would-update', before, changes, transition } : { result: 'would-update', before, changes, quantityChange, transition }, state.call);
  }
}

/** Fields whose `before_` cell is Zuora's value raw: numbers and dates, which a spreadsheet must read as such. */
const RAW_BEFORE = new Set(['Quantity', 'StartDateTime', 'EndDateTime']);

/** A `before_` cell: Zuora's value as answered; text from the server made formula-safe like every cell from it. */
function beforeCell(field: string, value: string | undefined): string {
  if (value === undefined) return '';
  return RAW_BEFORE.has(field) ? value : spreadsheetSafe(value);
}

function show(value: string | undefined): string {
  return value === undefined || value === '' ? '(empty)' : value;
}
