import { describe, expect, it } from 'vitest';
import { compareDateTimes, normalizeDateTime, type DateFormat } from '../../../src/rows/date-time.js';

function sent(text: string, dateFormat?: DateFormat): string | undefined {
  const result = normalizeDateTime(text, dateFormat === undefined ? {} : { dateFormat });
  return result.ok ? result.value : undefined;
}

function refusal(text: string, dateFormat?: DateFormat): string | undefined {
  const result = normalizeDateTime(text, dateFormat === undefined ? {} : { dateFormat });
  return result.ok ? undefined : result.message;
}

describe('normalizeDateTime: ISO forms', () => {
  it.each([
    ['2024-06-01', '2024-06-01T00:00:00'],
    ['2024-06-01T13:45:07', '2024-06-01T13:45:07'],
    ['2024-06-01 13:45:07', '2024-06-01T13:45:07'],
    ['2024-06-01t13:45:07', '2024-06-01T13:45:07'],
    ['2024-06-01T13:45', '2024-06-01T13:45:00'],
    ['2024-06-01 13:45', '2024-06-01T13:45:00'],
    ['2024-06-01T13:45:07.123', '2024-06-01T13:45:07.123'],
    ['2024-06-01T13:45:07.5', '2024-06-01T13:45:07.500'],
    ['2024-06-01T13:45:07.25Z', '2024-06-01T13:45:07.250+00:00'],
    ['2024-06-01T13:45:07.123-12:00', '2024-06-01T13:45:07.123-12:00'],
    ['2024-06-01T13:45:07.000', '2024-06-01T13:45:07.000'],
    ['2024-06-01T13:45:07.120000', '2024-06-01T13:45:07.120'],
    ['2024-06-01T13:45:07.123000000', '2024-06-01T13:45:07.123'],
    ['2024-06-01T13:45:07+02:00', '2024-06-01T13:45:07+02:00'],
    ['2024-06-01T13:45:07-05:30', '2024-06-01T13:45:07-05:30'],
    ['2024-06-01T13:45:07Z', '2024-06-01T13:45:07+00:00'],
    ['2024-06-01T13:45:07z', '2024-06-01T13:45:07+00:00'],
    ['2024-06-01T13:45:07.000+01:00', '2024-06-01T13:45:07.000+01:00'],
    ['2024-06-01 13:45:07.999-12:00', '2024-06-01T13:45:07.999-12:00'],
    ['2024-06-01T00:00:00+14:00', '2024-06-01T00:00:00+14:00'],
    ['  2024-06-01  ', '2024-06-01T00:00:00'],
    ['2024-02-29', '2024-02-29T00:00:00'],
    ['2000-02-29', '2000-02-29T00:00:00'],
    ['2024-12-31T23:59:59', '2024-12-31T23:59:59'],
    ['0001-01-01', '0001-01-01T00:00:00'],
    ['9999-12-31T23:59:59.999+14:00', '9999-12-31T23:59:59.999+14:00'],
  ])('%j is sent as %s', (text, value) => {
    expect(sent(text)).toBe(value);
  });

  it('never sends more than 29 characters', () => {
    for (const text of ['2024-06-01T13:45:07.123000000-11:30', '9999-12-31T23:59:59.999+14:00', '2024-06-01T13:45:07.100000000Z']) {
      expect(sent(text)?.length).toBeLessThanOrEqual(29);
    }
  });
});

describe('normalizeDateTime: spreadsheet forms with --date-format', () => {
  it.each([
    ['06/01/2024', 'MM/DD/YYYY', '2024-06-01T00:00:00'],
    ['6/1/2024', 'MM/DD/YYYY', '2024-06-01T00:00:00'],
    ['12/31/2024 23:59', 'MM/DD/YYYY', '2024-12-31T23:59:00'],
    ['12/31/2024 23:59:58', 'MM/DD/YYYY', '2024-12-31T23:59:58'],
    ['6/1/2024 9:05', 'MM/DD/YYYY', '2024-06-01T09:05:00'],
    ['6/1/2024 9:05 PM', 'MM/DD/YYYY', '2024-06-01T21:05:00'],
    ['6/1/2024 12:00 AM', 'MM/DD/YYYY', '2024-06-01T00:00:00'],
    ['6/1/2024 12:30:15 pm', 'MM/DD/YYYY', '2024-06-01T12:30:15'],
    ['06/01/2024', 'DD/MM/YYYY', '2024-01-06T00:00:00'],
    ['31/12/2024 08:00', 'DD/MM/YYYY', '2024-12-31T08:00:00'],
    ['29/2/2024', 'DD/MM/YYYY', '2024-02-29T00:00:00'],
    ['2024-06-01T10:00:00+02:00', 'DD/MM/YYYY', '2024-06-01T10:00:00+02:00'],
    ['26.02.2026', 'DD.MM.YYYY', '2026-02-26T00:00:00'],
    ['6.1.2024', 'DD.MM.YYYY', '2024-01-06T00:00:00'],
    ['26.02.2026 13:39', 'DD.MM.YYYY', '2026-02-26T13:39:00'],
    ['26.02.2026 23:59:59', 'DD.MM.YYYY', '2026-02-26T23:59:59'],
    ['2026-02-26T13:39:00-08:00', 'DD.MM.YYYY', '2026-02-26T13:39:00-08:00'],
    ['2026/02/26', 'YYYY/MM/DD', '2026-02-26T00:00:00'],
    ['2026/2/6 7:05', 'YYYY/MM/DD', '2026-02-06T07:05:00'],
    ['2026/02/26 23:59:58', 'YYYY/MM/DD', '2026-02-26T23:59:58'],
  ] as const)('%j read as %s is sent as %s', (text, format, value) => {
    expect(sent(text, format)).toBe(value);
  });

  it.each([
    ['13/01/2024', 'MM/DD/YYYY', 'has the month 13 (read as MM/DD/YYYY), which does not exist'],
    ['01/13/2024', 'DD/MM/YYYY', 'has the month 13 (read as DD/MM/YYYY)'],
    ['02/30/2024', 'MM/DD/YYYY', 'is not a real date (read as MM/DD/YYYY): February 2024 has 29 days'],
    ['6/1/24', 'MM/DD/YYYY', 'has a two-digit year'],
    ['6/1/2024 13:00 PM', 'MM/DD/YYYY', 'a 12-hour clock runs from 1 to 12'],
    ['6/1/2024 24:00', 'MM/DD/YYYY', 'has the hour 24'],
    ['2024/06/01', 'MM/DD/YYYY', 'does not match MM/DD/YYYY: it looks like YYYY/MM/DD; pass --date-format YYYY/MM/DD instead'],
    ['26.02.2026', 'DD/MM/YYYY', 'does not match DD/MM/YYYY: it looks like DD.MM.YYYY; pass --date-format DD.MM.YYYY instead'],
    ['26/02/2026', 'DD.MM.YYYY', 'does not match DD.MM.YYYY: it looks like MM/DD/YYYY or DD/MM/YYYY'],
    ['30.02.2026', 'DD.MM.YYYY', 'is not a real date (read as DD.MM.YYYY): February 2026 has 28 days'],
    ['26.02.26', 'DD.MM.YYYY', 'has a two-digit year'],
    ['2026/13/01', 'YYYY/MM/DD', 'has the month 13 (read as YYYY/MM/DD)'],
  ] as const)('%j read as %s is refused: %s', (text, format, message) => {
    expect(refusal(text, format)).toContain(message);
  });

  it.each([
    ['26.02.2026', '--date-format DD.MM.YYYY'],
    ['26.02.2026 13:39', '--date-format DD.MM.YYYY'],
    ['2026/02/26', '--date-format YYYY/MM/DD'],
  ])('refuses %j without --date-format and names %s', (text, flag) => {
    expect(refusal(text)).toBe(`is not an ISO date: write it as YYYY-MM-DD (e.g. 2024-06-01), or pass ${flag}`);
  });

  it.each([
    ['2026-02-26 13:39', undefined, true],
    ['2026-02-26T13:39+01:00', undefined, true],
    ['2026-02-26 13:39:00', undefined, false],
    ['2026-02-26', undefined, false],
    ['26.02.2026 13:39', 'DD.MM.YYYY', true],
    ['26.02.2026 13:39:00', 'DD.MM.YYYY', false],
    ['26.02.2026', 'DD.MM.YYYY', false],
    ['2/3/2026 23:59', 'MM/DD/YYYY', true],
    ['2/3/2026 11:59 PM', 'MM/DD/YYYY', true],
    ['2026/02/26 07:05', 'YYYY/MM/DD', true],
  ] as const)('%j (%s) says whether the seconds were left out: %s', (text, format, noSeconds) => {
    const result = normalizeDateTime(text, format === undefined ? {} : { dateFormat: format });
    expect(result.ok).toBe(true);
    expect(result.ok && result.noSeconds === true).toBe(noSeconds);
  });

  it('refuses slash dates without --date-format and says how to accept them', () => {
    expect(refusal('06/01/2024')).toBe(
      'is not an ISO date: write it as YYYY-MM-DD (e.g. 2024-06-01), or pass --date-format MM/DD/YYYY or --date-format DD/MM/YYYY',
    );
  });
});

describe('normalizeDateTime: refused values', () => {
  it.each([
    ['', 'is empty'],
    ['2023-02-29', 'is not a real date: February 2023 has 28 days'],
    ['1900-02-29', 'February 1900 has 28 days'],
    ['2024-04-31', 'April 2024 has 30 days'],
    ['2024-13-01', 'has the month 13, which does not exist'],
    ['2024-00-10', 'has the month 0'],
    ['2024-06-00', 'June 2024 has 30 days'],
    ['0000-01-01', 'has the year 0000'],
    ['2024-06-01T24:00:00', 'has the hour 24, which is not accepted: write 00:00 of the next day'],
    ['2024-06-01T25:00:00', 'has the hour 25, out of range 00-23'],
    ['2024-06-01T10:60:00', 'has the minute 60'],
    ['2024-06-01T10:00:60', 'has the second 60'],
    ['2024-06-01T10:00:00+15:00', 'has the offset +15:00, which does not exist'],
    ['2024-06-01T10:00:00+01:60', 'has the offset +01:60'],
    ['2024-06-01T10:00:00-13:00', 'has the offset -13:00, which does not exist'],
    ['2024-06-01T10:00:00+0100', 'has an offset without a colon: write it as ±HH:MM'],
    ['2024-06-01T10:00:00.1234', 'has more precision than milliseconds (.1234); Zuora keeps at most 3 decimals of a second: write .123'],
    ['2024-06-01T10:00:00.1234567891', 'has more precision than milliseconds'],
    ['2024-6-1', 'must have a two-digit month and day'],
    ['45444', 'looks like a spreadsheet date serial number'],
    ['45444.5', 'looks like a spreadsheet date serial number'],
    ['2024-06-01+02:00', 'is not a date-time: expected'],
    ['2024-06-01T10', 'is not a date-time'],
    ['June 1, 2024', 'is not a date-time'],
    ['2024-06-01T10:00:00 UTC', 'is not a date-time'],
    ['24-06-01', 'is not an ISO date'],
  ])('%j: %s', (text, message) => {
    expect(refusal(text)).toContain(message);
  });
});

describe('normalizeDateTime: instantKey', () => {
  it('is the epoch milliseconds of a value with an offset', () => {
    const cases: Array<[string, number]> = [
      ['1970-01-01T00:00:00Z', 0],
      ['2024-06-01T12:00:00+02:00', Date.UTC(2024, 5, 1, 10)],
      ['2024-06-01T12:00:00.250-05:30', Date.UTC(2024, 5, 1, 17, 30, 0, 250)],
      ['2024-06-01T12:00:00.5Z', Date.UTC(2024, 5, 1, 12, 0, 0, 500)],
      ['1900-03-01T00:00:00Z', Date.UTC(1900, 2, 1)],
      ['2400-02-29T00:00:00Z', Date.UTC(2400, 1, 29)],
      ['0050-01-01T00:00:00Z', -60_589_296_000_000],
    ];
    for (const [text, instant] of cases) {
      const result = normalizeDateTime(text);
      expect(result.ok && result.instantKey, text).toBe(instant);
    }
  });

  it('is absent without an offset', () => {
    const result = normalizeDateTime('2024-06-01T12:00:00');
    expect(result).toEqual({ ok: true, value: '2024-06-01T12:00:00' });
  });
});

describe('compareDateTimes', () => {
  it.each([
    ['2024-06-01T00:00:00', '2024-06-02T00:00:00', -1],
    ['2024-06-02T00:00:00', '2024-06-01T23:59:59.999', 1],
    ['2024-06-01T00:00:00', '2024-06-01T00:00:00.000', 0],
    ['2024-06-01T10:00:00+02:00', '2024-06-01T08:00:00Z', 0],
    ['2024-06-01T10:00:00+02:00', '2024-06-01T08:00:01+00:00', -1],
    ['2015-01-01T16:00:00+04:00', '2015-01-01T13:00:00+01:00', 0],
    ['2024-06-02T00:30:00+14:00', '2024-06-01T11:00:00-12:00', -1],
    ['2024-06-01T00:00:00.5', '2024-06-01T00:00:00.499', 1],
  ])('%s vs %s -> %d', (a, b, order) => {
    expect(compareDateTimes(a, b)).toBe(order);
  });

  it.each([
    ['2024-06-01T00:00:00', '2024-06-01T00:00:00+00:00'],
    ['2024-06-01T00:00:00Z', '2024-06-01T00:00:00'],
    ['not a date', '2024-06-01T00:00:00'],
    ['2024-02-30T00:00:00', '2024-06-01T00:00:00'],
  ])('%s vs %s is not comparable', (a, b) => {
    expect(compareDateTimes(a, b)).toBeUndefined();
  });
});
