/**
 * Whether a row's cell already holds what Zuora holds (SPEC "Look before you leap"): quantities as
 * decimals, date-times with an offset as instants, date-times without one by their wall-clock time in
 * the tenant's zone, everything else as text. Pure.
 */

import { dateTimeParts } from '../rows/date-time.js';
import type { ReadRecord } from './usage-query.js';

/** One field on which a row and Zuora disagree. */
export interface FieldDifference {
  field: string;
  /** The row's value, as sent (or as it would be sent). */
  row: string;
  /** Zuora's value as it answered it; undefined when Zuora left the field out (null). */
  zuora: string | undefined;
}

const MS_PER_MINUTE = 60_000;

/**
 * Compares one field. `rowValue` is the value map-row.ts would send; `zuoraValue` is Zuora's text
 * (undefined = absent, which equals nothing). `tenantOffsetMinutes` reads a value without offset as
 * tenant time when the other side has one; it defaults to the offset of Zuora's own value, which is
 * how Zuora writes tenant time.
 */
export function sameValue(field: string, rowValue: string, zuoraValue: string | undefined, tenantOffsetMinutes?: number): boolean {
  if (zuoraValue === undefined) return false;
  switch (field) {
    case 'Quantity': {
      const row = parseDecimal(rowValue);
      const zuora = parseDecimal(zuoraValue);
      return row !== undefined && zuora !== undefined ? compareDecimals(row, zuora) === 0 : rowValue === zuoraValue;
    }
    case 'StartDateTime':
    case 'EndDateTime':
      return sameDateTime(rowValue, zuoraValue, tenantOffsetMinutes);
    default:
      return rowValue === zuoraValue;
  }
}

function sameDateTime(rowValue: string, zuoraValue: string, tenantOffsetMinutes: number | undefined): boolean {
  const row = dateTimeParts(rowValue);
  const zuora = dateTimeParts(zuoraValue);
  if (row === undefined || zuora === undefined) return rowValue === zuoraValue;
  const tenant = tenantOffsetMinutes ?? zuora.offsetMinutes ?? row.offsetMinutes;
  const instant = (parts: { wallClockMs: number; offsetMinutes?: number }): number | undefined => {
    const offset = parts.offsetMinutes ?? tenant;
    return offset === undefined ? undefined : parts.wallClockMs - offset * MS_PER_MINUTE;
  };
  if (row.offsetMinutes === undefined && zuora.offsetMinutes !== undefined) {
    // Zuora reads a value without offset in the tenant's zone: compare it with the local part.
    const zuoraLocal = zuora.wallClockMs + ((tenant ?? zuora.offsetMinutes) - zuora.offsetMinutes) * MS_PER_MINUTE;
    return row.wallClockMs === zuoraLocal;
  }
  if (row.offsetMinutes === undefined && zuora.offsetMinutes === undefined) return row.wallClockMs === zuora.wallClockMs;
  const a = instant(row);
  const b = instant(zuora);
  return a !== undefined && b !== undefined && a === b;
}

/**
 * The fields of `row` (field -> value as sent) that differ from `record`, in the row's order.
 * `tenantOffsetMinutes`: see {@link sameValue}; by default each date-time field uses the offset of
 * Zuora's value of that field, or of its StartDateTime when that field is absent.
 */
export function differences(row: Readonly<Record<string, string>>, record: ReadRecord, tenantOffsetMinutes?: number): FieldDifference[] {
  const fallback = tenantOffsetMinutes ?? tenantOffsetOf(record);
  const found: FieldDifference[] = [];
  for (const [field, value] of Object.entries(row)) {
    const held = record[field];
    // Zuora writes each date-time in the tenant's zone at that date: across a daylight-saving change the
    // EndDateTime's offset is not the StartDateTime's, and only its own gives its local part.
    const own = held === undefined || tenantOffsetMinutes !== undefined ? undefined : dateTimeParts(held)?.offsetMinutes;
    if (!sameValue(field, value, held, own ?? fallback)) found.push({ field, row: value, zuora: held });
  }
  return found;
}

/** The tenant's offset as Zuora wrote it on this record (its StartDateTime), if known. */
export function tenantOffsetOf(record: ReadRecord): number | undefined {
  for (const field of ['StartDateTime', 'EndDateTime']) {
    const value = record[field];
    const offset = value === undefined ? undefined : dateTimeParts(value)?.offsetMinutes;
    if (offset !== undefined) return offset;
  }
  return undefined;
}

/** A decimal as an integer and a power of ten: `12.50` is 1250 x 10^-2. */
export interface Decimal {
  units: bigint;
  scale: number;
}

/** A plain or exponent decimal (`5`, `-0.25`, `1.5E3`); undefined for anything else. Exact: never a float. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, sign, integer = '', fraction = '', exponent] = match;
  if (integer === '' && fraction === '') return undefined;
  let units = BigInt(`${integer}${fraction}` || '0');
  let scale = fraction.length - Number(exponent ?? 0);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units: sign === '-' ? -units : units, scale };
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.units * 10n ** BigInt(scale - a.scale), b.units * 10n ** BigInt(scale - b.scale), scale];
}

/** Negative, 0 or positive as `a` is less than, equal to or greater than `b`. */
export function compareDecimals(a: Decimal, b: Decimal): number {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = align(a, b);
  return { units: x + y, scale };
}

export function subtractDecimals(a: Decimal, b: Decimal): Decimal {
  const [x, y, scale] = align(a, b);
  return { units: x - y, scale };
}

/** Plain decimal text without trailing zeros: `1250 x 10^-2` is `12.5`. */
export function formatDecimal(value: Decimal): string {
  const negative = value.units < 0n;
  let digits = (negative ? -value.units : value.units).toString();
  let scale = value.scale;
  while (scale > 0 && digits.endsWith('0') && digits.length > 1) {
    digits = digits.slice(0, -1);
    scale--;
  }
  if (scale > 0 && digits === '0') scale = 0;
  const padded = digits.padStart(scale + 1, '0');
  const text = scale === 0 ? padded : `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  return negative && text !== '0' ? `-${text}` : text;
}

/**
 * A quantity as Zuora answered it, written as a plain decimal digit for digit: `5.00E-7` is
 * `0.000000500`, `1.5E3` is `1500`; a plain decimal (or anything that is not a number) is left as it is.
 * A backup holds this, so that its restore row is a valid quantity.
 */
export function plainDecimalText(text: string): string {
  if (!/[eE]/.test(text)) return text;
  const value = parseDecimal(text);
  if (value === undefined) return text;
  const negative = value.units < 0n;
  const padded = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, '0');
  const plain = value.scale === 0 ? padded : `${padded.slice(0, -value.scale)}.${padded.slice(-value.scale)}`;
  return negative ? `-${plain}` : plain;
}
