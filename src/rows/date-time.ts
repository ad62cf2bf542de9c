/** Spreadsheet date orders accepted besides ISO when `--date-format` is given. */
export type DateFormat = 'MM/DD/YYYY' | 'DD/MM/YYYY' | 'DD.MM.YYYY' | 'YYYY/MM/DD';

/** The `--date-format` values, in `--help` order. */
export const DATE_FORMATS: readonly DateFormat[] = ['MM/DD/YYYY', 'DD/MM/YYYY', 'DD.MM.YYYY', 'YYYY/MM/DD'];

/** A checked date-time, or why it was refused. */
export type DateTimeResult =
  | {
      ok: true;
      /** The value to send: `YYYY-MM-DDTHH:MM:SS[.sss][±HH:MM]`, at most 29 characters. */
      value: string;
      /**
       * Milliseconds since 1970-01-01T00:00:00Z of the instant, only when the value carries an offset
       * (without one, Zuora reads it in the tenant's time zone, which is not known here).
       */
      instantKey?: number;
      /** The cell had a time without seconds (`23:59`), read as `23:59:00`: the run counts these and warns once. */
      noSeconds?: true;
    }
  | {
      ok: false;
      /** Continues a sentence that starts with the column and the quoted value. */
      message: string;
    };

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:\d{2})?)?$/;
const TIME_OF_DAY = '(?:\\s+(\\d{1,2}):(\\d{2})(?::(\\d{2}))?(?:\\s*([AaPp][Mm]))?)?$';
/** Each `--date-format`: day, month and year in the order written, then an optional time of day. */
const FORMAT_PATTERNS: Readonly<Record<DateFormat, RegExp>> = {
  'MM/DD/YYYY': new RegExp(`^(\\d{1,2})\\/(\\d{1,2})\\/(\\d{4})${TIME_OF_DAY}`),
  'DD/MM/YYYY': new RegExp(`^(\\d{1,2})\\/(\\d{1,2})\\/(\\d{4})${TIME_OF_DAY}`),
  'DD.MM.YYYY': new RegExp(`^(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})${TIME_OF_DAY}`),
  'YYYY/MM/DD': new RegExp(`^(\\d{4})\\/(\\d{1,2})\\/(\\d{1,2})${TIME_OF_DAY}`),
};
/** Zuora keeps milliseconds at most, and 29 characters fit exactly `.sss` plus an offset. */
const MAX_FRACTION_DIGITS = 3;
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

const ISO_FORMS = 'YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or YYYY-MM-DD HH:MM:SS (optionally with .sss and ±HH:MM or Z)';

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * Checks a StartDateTime/EndDateTime cell and returns the value to send (SPEC "Row validation").
 * Date-only values become `T00:00:00`, `Z` becomes `+00:00`, and a value without offset stays
 * without one, since Zuora reads it in the tenant's time zone. HH:MM without seconds is accepted and
 * sent with `:00`. A fraction of up to 3 digits is kept as written; longer fractions are accepted only
 * when the extra digits are zeros (they are dropped), since Zuora keeps milliseconds at most. Pure
 * arithmetic: the host's time zone never plays a part.
 */
export function normalizeDateTime(text: string, options: { dateFormat?: DateFormat } = {}): DateTimeResult {
  const value = text.trim();
  if (value === '') return { ok: false, message: `is empty: expected ${ISO_FORMS}` };
  const iso = ISO.exec(value);
  if (iso) return fromIso(iso);
  if (options.dateFormat !== undefined) {
    const formatted = FORMAT_PATTERNS[options.dateFormat].exec(value);
    if (formatted) return fromFormat(formatted, options.dateFormat);
  }
  return { ok: false, message: diagnose(value, options.dateFormat) };
}

/** A checked ISO value: its parts, the fraction kept and the offset, if any. */
interface IsoValue {
  parts: Parts;
  fraction: string;
  offsetText?: string;
  offsetMinutes?: number;
}

function checkIso(match: RegExpExecArray): IsoValue | { message: string } {
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  const parts: Parts = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour ?? 0),
    minute: Number(minute ?? 0),
    second: Number(second ?? 0),
  };
  const problem = checkParts(parts);
  if (problem !== undefined) return { message: problem };

  let kept = fraction ?? '';
  if (kept.length > MAX_FRACTION_DIGITS) {
    if (!/^0+$/.test(kept.slice(MAX_FRACTION_DIGITS))) {
      return {
        message: `has more precision than milliseconds (.${kept}); Zuora keeps at most 3 decimals of a second: write .${kept.slice(0, MAX_FRACTION_DIGITS)}`,
      };
    }
    kept = kept.slice(0, MAX_FRACTION_DIGITS);
  }
  // Always milliseconds (`.5` -> `.500`), the form Zuora documents and answers with.
  if (kept !== '') kept = kept.padEnd(MAX_FRACTION_DIGITS, '0');
  if (offset === undefined) return { parts, fraction: kept };

  const offsetText = offset.toUpperCase() === 'Z' ? '+00:00' : offset;
  const hours = Number(offsetText.slice(1, 3));
  const minutes = Number(offsetText.slice(4, 6));
  const west = offsetText.startsWith('-');
  if (minutes > 59 || hours > 14 || (hours === 14 && minutes > 0) || (west && (hours > 12 || (hours === 12 && minutes > 0)))) {
    return { message: `has the offset ${offset}, which does not exist: offsets run from -12:00 to +14:00` };
  }
  const offsetMinutes = (offsetText.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  return { parts, fraction: kept, offsetText, offsetMinutes };
}

function fromIso(match: RegExpExecArray): DateTimeResult {
  const checked = checkIso(match);
  if ('message' in checked) return { ok: false, message: checked.message };
  const { parts, fraction, offsetText } = checked;
  const value = `${formatParts(parts)}${fraction === '' ? '' : `.${fraction}`}${offsetText ?? ''}`;
  const instantKey = instantOf(checked);
  // A time given (group 4) without its seconds (group 6).
  const noSeconds = match[4] !== undefined && match[6] === undefined ? { noSeconds: true as const } : {};
  return instantKey === undefined ? { ok: true, value, ...noSeconds } : { ok: true, value, instantKey, ...noSeconds };
}

/** Epoch milliseconds of a value with an offset; undefined without one. */
function instantOf(checked: IsoValue): number | undefined {
  if (checked.offsetMinutes === undefined) return undefined;
  return wallClockMs(checked.parts) + millisOf(checked.fraction) - checked.offsetMinutes * MS_PER_MINUTE;
}

function fromFormat(match: RegExpExecArray, format: DateFormat): DateTimeResult {
  const [, first, second, third, hour, minute, seconds, meridiem] = match;
  const [year, month, day] =
    format === 'MM/DD/YYYY' ? [third, first, second] : format === 'YYYY/MM/DD' ? [first, second, third] : [third, second, first];
  let hours = Number(hour ?? 0);
  if (meridiem !== undefined) {
    if (hours < 1 || hours > 12) {
      return { ok: false, message: `has the hour ${hour} with ${meridiem}: a 12-hour clock runs from 1 to 12` };
    }
    // 12 AM is midnight and 12 PM is noon.
    hours = (hours % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
  }
  const parts: Parts = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: hours,
    minute: Number(minute ?? 0),
    second: Number(seconds ?? 0),
  };
  const problem = checkParts(parts, format);
  if (problem !== undefined) return { ok: false, message: problem };
  return hour !== undefined && seconds === undefined ? { ok: true, value: formatParts(parts), noSeconds: true } : { ok: true, value: formatParts(parts) };
}

/** Why the parts are not a real date and time of day, or undefined when they are. */
function checkParts(parts: Parts, format?: DateFormat): string | undefined {
  const read = format === undefined ? '' : ` (read as ${format})`;
  if (parts.year === 0) return 'has the year 0000, which does not exist';
  if (parts.month < 1 || parts.month > 12) return `has the month ${parts.month}${read}, which does not exist`;
  const days = daysInMonth(parts.year, parts.month);
  if (parts.day < 1 || parts.day > days) {
    return `is not a real date${read}: ${MONTHS[parts.month - 1]} ${parts.year} has ${days} days`;
  }
  if (parts.hour === 24) return 'has the hour 24, which is not accepted: write 00:00 of the next day';
  if (parts.hour > 23) return `has the hour ${parts.hour}, out of range 00-23`;
  if (parts.minute > 59) return `has the minute ${parts.minute}, out of range 00-59`;
  if (parts.second > 59) return `has the second ${parts.second}, out of range 00-59`;
  return undefined;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function formatParts(parts: Parts): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${String(parts.year).padStart(4, '0')}-${two(parts.month)}-${two(parts.day)}` +
    `T${two(parts.hour)}:${two(parts.minute)}:${two(parts.second)}`
  );
}

/**
 * The wall-clock time as milliseconds since 1970-01-01T00:00:00 on the same clock, by day counting
 * (Hinnant's days-from-civil): Date.UTC maps years below 100 to the 1900s.
 */
function wallClockMs(parts: Parts): number {
  const y = parts.month <= 2 ? parts.year - 1 : parts.year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = (parts.month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + parts.day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  const days = era * 146_097 + dayOfEra - 719_468;
  return days * MS_PER_DAY + ((parts.hour * 60 + parts.minute) * 60 + parts.second) * 1000;
}

function millisOf(fraction: string): number {
  return fraction === '' ? 0 : Number(fraction.padEnd(3, '0'));
}

/** The most helpful reason a value matched no accepted form. */
function diagnose(value: string, format: DateFormat | undefined): string {
  const expected = `expected ${ISO_FORMS}${format === undefined ? '' : `, or ${format} optionally with HH:MM[:SS]`}`;
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*[+-]\d{2}:?\d{2}$/.test(value) && !/[+-]\d{2}:\d{2}$/.test(value)) {
    return `has an offset without a colon: write it as ±HH:MM, e.g. +01:00`;
  }
  if (/^\d{4}-\d{1,2}-\d{1,2}([Tt ]|$)/.test(value) && !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    return `must have a two-digit month and day (e.g. 2024-06-01): ${expected}`;
  }
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}\.\d{10,}/.test(value)) {
    return `has more precision than milliseconds; Zuora keeps at most 3 decimals of a second`;
  }
  const written = writtenFormat(value);
  if (written !== undefined) {
    if (format === undefined) return `is not an ISO date: write it as YYYY-MM-DD (e.g. 2024-06-01), or pass ${written}`;
    if (/^\d{1,2}[/.]\d{1,2}[/.]\d{2}\b(?!\d)/.test(value)) return `has a two-digit year: write the year with four digits`;
    if (!written.includes(format)) return `does not match ${format}: it looks like ${written.replace(/--date-format /g, '')}; pass ${written} instead`;
    return `does not match ${format}: ${expected}`;
  }
  if (/^\d{5}(\.\d+)?$/.test(value)) {
    return `looks like a spreadsheet date serial number: format the column as a date (yyyy-mm-dd) before saving the CSV`;
  }
  return `is not a date-time: ${expected}`;
}

/** The `--date-format` a spreadsheet date is written in (`--date-format DD.MM.YYYY`), or undefined. */
function writtenFormat(value: string): string | undefined {
  if (/^\d{1,2}\.\d{1,2}\.\d{2}(\d{2})?\b/.test(value)) return '--date-format DD.MM.YYYY';
  if (/^\d{4}\/\d{1,2}\/\d{1,2}\b/.test(value)) return '--date-format YYYY/MM/DD';
  if (/^\d{1,2}[/-]\d{1,2}[/-]\d{2}(\d{2})?\b/.test(value)) return '--date-format MM/DD/YYYY or --date-format DD/MM/YYYY';
  return undefined;
}

/**
 * Orders two date-times (normalized values, or any ISO form {@link normalizeDateTime} accepts):
 * negative when `a` is earlier, 0 when equal, positive when later. Two values with offsets compare as
 * instants, two without as wall-clock times of the same (tenant) zone. Undefined when only one has an
 * offset, or either is not a valid date-time: the tenant's zone would be needed.
 */
export function compareDateTimes(a: string, b: string): number | undefined {
  const left = isoValueOf(a);
  const right = isoValueOf(b);
  if (left === undefined || right === undefined) return undefined;
  const leftInstant = instantOf(left);
  const rightInstant = instantOf(right);
  if (leftInstant !== undefined && rightInstant !== undefined) return Math.sign(leftInstant - rightInstant);
  if (leftInstant !== undefined || rightInstant !== undefined) return undefined;
  const wallClock = (value: IsoValue): number => wallClockMs(value.parts) + millisOf(value.fraction);
  return Math.sign(wallClock(left) - wallClock(right));
}

/**
 * A date-time as numbers: its wall-clock time (ms since 1970-01-01T00:00:00 on its own clock) and its
 * offset in minutes east of UTC when it has one. Undefined when the text is not a date-time
 * {@link normalizeDateTime} accepts in ISO form. Pure arithmetic, like the rest of this file.
 */
export function dateTimeParts(text: string): { wallClockMs: number; offsetMinutes?: number } | undefined {
  const value = isoValueOf(text);
  if (value === undefined) return undefined;
  const wall = wallClockMs(value.parts) + millisOf(value.fraction);
  return value.offsetMinutes === undefined ? { wallClockMs: wall } : { wallClockMs: wall, offsetMinutes: value.offsetMinutes };
}

function isoValueOf(text: string): IsoValue | undefined {
  const match = ISO.exec(text.trim());
  if (!match) return undefined;
  const checked = checkIso(match);
  return 'message' in checked ? undefined : checked;
}
