/**
 * One usage record as a row of the export file, and its place in the file's order. Pure. Updatable
 * cells are written raw (a formula-safe `'` would be sent back to Zuora on apply); context text is made
 * formula-safe, as every text from the server that is not sent back.
 */

import { spreadsheetSafe } from '../output/spreadsheet-safe.js';
import { parseDecimal } from '../read/compare.js';
import type { ReadRecord } from '../read/usage-query.js';
import { dateTimeParts } from '../rows/date-time.js';
import { exportFields } from './export-query.js';

const PLAIN = /^-?\d+(\.\d+)?$/;
const UPDATABLE = new Set(['Id', 'Quantity', 'StartDateTime', 'EndDateTime', 'UOM']);

/**
 * A quantity as a plain decimal, digit for digit: a plain answer as it is, an exponent answer expanded
 * keeping every digit Zuora wrote (`5.00E-7` -> `0.000000500`). Text that is no number stays as it is.
 */
export function plainQuantity(text: string): string {
  if (PLAIN.test(text)) return text;
  const decimal = parseDecimal(text);
  if (decimal === undefined) return text;
  const negative = decimal.units < 0n;
  const digits = (negative ? -decimal.units : decimal.units).toString().padStart(decimal.scale + 1, '0');
  const plain = decimal.scale === 0 ? digits : `${digits.slice(0, -decimal.scale)}.${digits.slice(-decimal.scale)}`;
  return negative ? `-${plain}` : plain;
}

/** The cells of one record, in the order of exportHeader(customFields). `decimalComma` writes `42,5`. */
export function exportCells(record: ReadRecord, customFields: readonly string[], decimalComma: boolean): string[] {
  return exportFields(customFields).map((field) => {
    const value = record[field];
    if (value === undefined) return '';
    if (field === 'Quantity') {
      const plain = plainQuantity(value);
      return decimalComma ? plain.replace('.', ',') : plain;
    }
    return UPDATABLE.has(field) || field.endsWith('__c') ? value : spreadsheetSafe(value);
  });
}

/**
 * The key that orders the export: StartDateTime as an instant (Zuora writes each with the tenant's
 * offset at its date, which changes with daylight saving), then the Id without regard to case. Keys
 * compare as strings.
 */
export function exportSortKey(record: ReadRecord): string {
  const start = record.StartDateTime === undefined ? undefined : dateTimeParts(record.StartDateTime);
  const instant = start === undefined ? 0 : start.wallClockMs - (start.offsetMinutes ?? 0) * 60_000;
  // Shifted to stay positive from year 0 on, and padded, so that the text sorts as the number.
  const time = start === undefined ? ''.padStart(16, '0') : String(instant + 1e15).padStart(16, '0');
  return `${time} ${(record.Id ?? '').toLowerCase()}`;
}
