/**
 * Date-times as Zuora stores them: in the tenant's time zone, written `YYYY-MM-DDTHH:MM:SS.sss±HH:MM`
 * (29 characters). The simulator's tenant has a fixed UTC offset, so no time-zone database is needed and
 * the host's time zone never matters.
 * Its own date-time parsing, not src/rows/date-time.ts, on purpose: it checks what the client sends.
 */

const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

// What the usage PUT accepts: a date-time with optional milliseconds and optional offset. Bare dates and
// `Z` are refused on purpose: Zuora documents only these two forms, and the client must send them.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?([+-]\d{2}:\d{2})?$/;

/** Longest date-time the usage fields accept (`2024-06-30T02:00:00.000+01:00`). */
export const MAX_DATE_TIME_LENGTH = 29;

/**
 * Minutes east of UTC of a `±HH:MM` offset (`Z` is read as `+00:00`); undefined when malformed or
 * outside -12:00..+14:00.
 */
export function offsetMinutes(offset: string): number | undefined {
  if (offset === 'Z') return 0;
  const match = OFFSET.exec(offset);
  if (!match) return undefined;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  if (minutes > 59) return undefined;
  const total = (match[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
  return total < -12 * 60 || total > 14 * 60 ? undefined : total;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/** An instant (epoch ms) written in the given offset, as Zuora returns date-times. */
export function formatInOffset(epochMs: number, offset: number): string {
  const local = new Date(epochMs + offset * 60_000);
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}` +
    `T${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}` +
    `.${pad(local.getUTCMilliseconds(), 3)}${formatOffset(offset)}`
  );
}

/**
 * The instant (epoch ms) a date-time text names, reading a value without offset in the tenant offset;
 * undefined when the text is not an accepted form or not a real calendar date and time.
 */
export function parseDateTime(text: string, tenantOffset: number): number | undefined {
  if (text.length > MAX_DATE_TIME_LENGTH) return undefined;
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, frac, off] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = off === undefined ? tenantOffset : offsetMinutes(off);
  if (offset === undefined) return undefined;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined; // 2026-02-30
  const millis = frac === undefined ? 0 : Number(frac.padEnd(3, '0'));
  return date.getTime() + ((hour * 60 + minute - offset) * 60 + second) * 1000 + millis;
}

/** A date-time converted to the tenant offset, or undefined when it is not accepted (see parseDateTime). */
export function toTenantDateTime(text: string, tenantOffset: number): string | undefined {
  const instant = parseDateTime(text, tenantOffset);
  return instant === undefined ? undefined : formatInOffset(instant, tenantOffset);
}
