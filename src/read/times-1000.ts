/**
 * Quantities a spreadsheet multiplied by 1000 (SPEC, the section of that name): a spreadsheet in a
 * locale whose thousands separator is `.` reads `312.091` as 312091 and saves it so, and the file is
 * otherwise valid. Only Zuora's current value shows it, so every mode that reads a record before
 * writing it asks this module about each row. Pure, and exact: decimals as integers, never floats.
 */

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

/**
 * Keeps Zuora's Quantity and UOM of each Id read, as the rows judged so far would leave them (about
 * 100 bytes an Id; Ids compared without regard to case).
 */
export function createTimes1000Tracker(options: Times1000Options = {}): Times1000Tracker {
  const left = new Map<string, { Quantity?: string; UOM?: string }>();
  return {
    judge(id, fields, record) {
      const key = id.toLowerCase();
      if (record !== undefined) left.set(key, { Quantity: record.Quantity, UOM: record.UOM });
      const now = left.get(key);
      if (now === undefined) return undefined;
      const refusal = quantityTimes1000(fields.Quantity, fields.UOM, now.Quantity, now.UOM, options);
      if (refusal) return refusal;
      if (fields.Quantity !== undefined) now.Quantity = fields.Quantity;
      if (fields.UOM !== undefined) now.UOM = fields.UOM;
      return undefined;
    },
  };
}
