/**
 * Quantities a spreadsheet multiplied by 1000 (SPEC, the section of that name): a spreadsheet in a
 * locale whose thousands separator is `.` reads `312.091` as 312091 and saves it so, and the file is
 * otherwise valid. Only Zuora's current value shows it, so every mode that reads a record before
 * writing it asks this module about each row. Pure, and exact: decimals as integers, never floats.
 */

import { IdTable } from '../resume/id-table.js';
import { compareDecimals, formatDecimal, parseDecimal, type Decimal } from './compare.js';

/** The `error_code` of a row refused because its Quantity is exactly 1000 × Zuora's. */
export const QUANTITY_TIMES_1000 = 'QUANTITY_TIMES_1000';

/** Why a row is `invalid` and never sent. */
export interface Times1000Refusal {
  errorCode: typeof QUANTITY_TIMES_1000;
  errorMessage: string;
}

/** How the row's file writes decimals, for the value the message tells to write. */
export interface Times1000Options {
  /** `--decimal-comma`: suggest `312,091`, since `312.091` would be refused there. */
  decimalComma?: boolean;
}

/**
 * Whether a row must be refused: its Quantity is exactly 1000 × Zuora's current quantity, that is not
 * zero, while its UOM cell is empty or names Zuora's unit (a different unit makes 1000 × plausible:
 * Minutes to Seconds is not, GB to MB is). `rowQuantity` and `rowUom` are the row's values as they
 * would be sent (undefined or '' for an empty cell); `zuoraQuantity` and `zuoraUom` are Zuora's values
 * as it answered them (the record as the earlier rows of the Id would leave it; undefined when absent).
 * Returns the refusal, or undefined when the row may go.
 */
export function quantityTimes1000(
  rowQuantity: string | undefined,
  rowUom: string | undefined,
  zuoraQuantity: string | undefined,
  zuoraUom: string | undefined,
  options: Times1000Options = {},
): Times1000Refusal | undefined {
  if (rowQuantity === undefined || rowQuantity.trim() === '' || zuoraQuantity === undefined) return undefined;
  const row = parseDecimal(rowQuantity);
  const zuora = parseDecimal(zuoraQuantity);
  if (row === undefined || zuora === undefined || zuora.units === 0n) return undefined;
  const times1000: Decimal = { units: zuora.units * 1000n, scale: zuora.scale };
  if (compareDecimals(row, times1000) !== 0) return undefined;
  const uom = rowUom?.trim() ?? '';
  if (uom !== '' && uom.toLowerCase() !== (zuoraUom ?? '').trim().toLowerCase()) return undefined;

  const held = /^[+-]?\d*(\.\d*)?$/.test(zuoraQuantity.trim()) ? zuoraQuantity.trim() : formatDecimal(zuora);
  const shownHeld = options.decimalComma ? held.replace('.', ',') : held;
  const written = rowQuantity.trim();
  const shownRow = options.decimalComma ? written.replace('.', ',') : written;
  const unit = uom === '' ? '' : ` (same UOM ${uom})`;
  return {
    errorCode: QUANTITY_TIMES_1000,
    errorMessage:
      `Quantity ${shownRow} is exactly 1000 × Zuora's ${shownHeld}${unit}: a spreadsheet probably read the decimal point as a thousands separator; ` +
      `write ${shownHeld}, or pass --allow-times-1000 if ${shownRow} is meant. Not sent.`,
  };
}

/** What the rows of one Id leave, for judging its later rows (backup.ts keeps one per Id read). */
export interface Times1000Tracker {
  /**
   * Judges one row in file order: `record` is Zuora's record when this row carried the Id's read, and
   * undefined for a later row of an Id (judged against what the earlier rows leave) or an Id not read
   * in this run (not judged). A refused row leaves nothing; another row leaves its Quantity and UOM.
   */
  judge(id: string, fields: Readonly<Record<string, string>>, record?: Readonly<Record<string, string | undefined>>): Times1000Refusal | undefined;
}

/** The tracker's options: the messages' decimal comma, and the Ids it should have room for. */
export interface Times1000TrackerOptions extends Times1000Options {
  /**
   * Room for that many Ids from the start (the input's estimated rows, `estimatedRows`): a table grown
   * by half as Ids come holds the old and the new arrays for a moment, and the old ones stay until a
   * full collection (at 1,000,000 Ids: 24 MB at the end, 40 MB while the last growth copies).
   */
  expectedIds?: number;
}

/**
 * Keeps Zuora's Quantity and UOM of each Id read, as the rows judged so far would leave them: one
 * number an Id in an IdTable (16 to 32 bytes; a Map of strings took about 110), the Quantity packed
 * exactly when its text is a plain decimal of at most 11 digits and the UOM one of the first 1,000
 * seen; anything else goes to a Map. Ids are compared without regard to case, through their 53-bit
 * digest: two Ids of one run that share a digest (about 1 in 18,000 runs of 1,000,000 distinct Ids)
 * judge each other's later rows, which at worst refuses a row that is 1000 × the other Id's quantity.
 */
export function createTimes1000Tracker(options: Times1000TrackerOptions = {}): Times1000Tracker {
  const packed = new IdTable(true, options.expectedIds);
  const other = new Map<number, Left>();
  const uoms = new Map<string, number>();
  const uomNames: string[] = [];

  const load = (digest: number): Left | undefined => {
    const value = packed.getDigest(digest);
    if (value === undefined) return undefined;
    if (value === OTHER) return other.get(digest);
    return unpack(value, uomNames);
  };
  const store = (digest: number, left: Left): void => {
    const value = pack(left, uoms, uomNames);
    packed.setDigest(digest, value ?? OTHER);
    if (value === undefined) other.set(digest, left);
    else other.delete(digest);
  };

  return {
    judge(id, fields, record) {
      const digest = IdTable.digest(id);
      let now = load(digest);
      // Only the Id's first read counts: a later row is judged against what the earlier rows leave.
      if (record !== undefined && now === undefined) store(digest, (now = { Quantity: record.Quantity, UOM: record.UOM }));
      if (now === undefined) return undefined;
      const refusal = quantityTimes1000(fields.Quantity, fields.UOM, now.Quantity, now.UOM, options);
      if (refusal) return refusal;
      if (fields.Quantity === undefined && fields.UOM === undefined) return undefined;
      store(digest, { Quantity: fields.Quantity ?? now.Quantity, UOM: fields.UOM ?? now.UOM });
      return undefined;
    },
  };
}

interface Left {
  Quantity?: string;
  UOM?: string;
}

/** The packed value of an Id kept in the Map instead (never a packed value: those are whole numbers). */
const OTHER = -0.5;
/** A plain decimal as written, without leading zeros: it is rebuilt exactly from its digits and scale. */
const PLAIN = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?$/;
const MAX_DIGITS = 11;
/** UOM codes: 0 to 1022 a UOM, 1023 none. Quantity scale codes: 0 to 14, 15 none. */
const UOM_CODES = 1024;
const NO_UOM = UOM_CODES - 1;
const NO_QUANTITY = 15;

/** Quantity digits, scale, sign and UOM in one whole number below 2^53; undefined when they do not fit. */
function pack(left: Left, uoms: Map<string, number>, uomNames: string[]): number | undefined {
  let uom = NO_UOM;
  if (left.UOM !== undefined) {
    const known = uoms.get(left.UOM);
    if (known !== undefined) uom = known;
    else if (uomNames.length < NO_UOM) {
      uom = uomNames.length;
      uoms.set(left.UOM, uom);
      uomNames.push(left.UOM);
    } else return undefined;
  }
  let digits = 0;
  let scale = NO_QUANTITY;
  let negative = 0;
  if (left.Quantity !== undefined) {
    const match = PLAIN.exec(left.Quantity);
    if (!match) return undefined;
    const [, sign, integer = '', fraction = ''] = match;
    if (integer.length + fraction.length > MAX_DIGITS || fraction.length >= NO_QUANTITY) return undefined;
    digits = Number(integer + fraction);
    scale = fraction.length;
    negative = sign === '-' ? 1 : 0;
  }
  return ((digits * 16 + scale) * 2 + negative) * UOM_CODES + uom;
}

function unpack(value: number, uomNames: readonly string[]): Left {
  const uom = value % UOM_CODES;
  let rest = (value - uom) / UOM_CODES;
  const negative = rest % 2;
  rest = (rest - negative) / 2;
  const scale = rest % 16;
  const digits = (rest - scale) / 16;
  const left: Left = {};
  if (uom !== NO_UOM) left.UOM = uomNames[uom];
  if (scale !== NO_QUANTITY) {
    const text = String(digits).padStart(scale + 1, '0');
    left.Quantity = `${negative ? '-' : ''}${scale === 0 ? text : `${text.slice(0, -scale)}.${text.slice(-scale)}`}`;
  }
  return left;
}
