import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { matchColumns } from '../../../src/input/columns.js';
import { mapRow, validateId, type MappedRow } from '../../../src/rows/map-row.js';
import { usageJson } from '../../../src/send/usage-json.js';

const ID = '8ad08ae29085a77b0190908bfdd67abb';
const HEADER = ['Id', 'Quantity', 'StartDateTime', 'EndDateTime', 'UOM', 'RbeStatus', 'Region__c'];
const columns = matchColumns(HEADER, { ignoreUnknownColumns: false });

/** A full row of HEADER with the given cells filled in and the others empty. */
function row(cells: Partial<Record<(typeof HEADER)[number], string>>): string[] {
  return HEADER.map((name) => (name === 'Id' ? (cells.Id ?? ID) : (cells[name] ?? '')));
}

/** The request body the transport writes for the row (usage-json.ts). */
function body(result: MappedRow): string | undefined {
  return result.ok ? usageJson(result.fields) : undefined;
}

function message(result: MappedRow): string | undefined {
  return result.ok ? undefined : result.message;
}

describe('validateId', () => {
  it.each([ID, ` ${ID}\t`, '2C92C0F86A8DD422016A9E7A70116B0D', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'])('accepts %j', (text) => {
    expect(validateId(text)).toEqual({ ok: true, id: text.trim() });
  });

  it.each([
    ['', 'Id is empty'],
    ['   ', 'Id is empty'],
    ['8.00E+31', 'Id "8.00E+31" was turned into a number in scientific notation by a spreadsheet'],
    ['8E+31', 'scientific notation'],
    ['8,0088E+31', 'scientific notation'],
    ['1.23457e+31', 'scientific notation'],
    ['8008800000000000000000000000000', 'has 31 digits instead of 32: a spreadsheet probably read it as a number'],
    ['123456789012345.0', 'has 15 digits instead of 32'],
    ['80088123456789000000000000000000', 'looks rounded by a spreadsheet (only its first 15 digits are kept)'],
    [ID.slice(0, 31), 'expected exactly 32 letters or digits, found 31 characters'],
    [`${ID}0`, 'found 33 characters'],
    ['8ad08ae2-9085-a77b-0190-908bfdd67abb', 'found 36 characters including "-"'],
    [`'${ID}`, `including "'"`],
    [`${ID.slice(0, 16)} ${ID.slice(16)}`, 'including " "'],
    ['../../../v1/accounts/1234567890', 'including "." "/"'],
    ['8ad08ae29085a77b0190908bfdd67abé', 'including "é"'],
  ])('refuses %j: %s', (text, expected) => {
    const result = validateId(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(expected);
  });

  it('tells how to avoid the spreadsheet damage', () => {
    const result = validateId('8.00E+31');
    expect(!result.ok && result.message).toContain('keep the column as text');
  });
});

describe('mapRow: request body', () => {
  it.each([
    [{ Quantity: '7.50' }, '{"Quantity":7.50}'],
    [{ Quantity: '007.50' }, '{"Quantity":7.50}'],
    [{ Quantity: '1234567890123.123456789' }, '{"Quantity":1234567890123.123456789}'],
    [{ Quantity: '-0.5' }, '{"Quantity":-0.5}'],
    [{ StartDateTime: '2024-06-01' }, '{"StartDateTime":"2024-06-01T00:00:00"}'],
    [{ StartDateTime: '2024-06-01 08:00:00Z' }, '{"StartDateTime":"2024-06-01T08:00:00+00:00"}'],
    [{ EndDateTime: '2024-06-30T23:59:59.999+02:00' }, '{"EndDateTime":"2024-06-30T23:59:59.999+02:00"}'],
    [{ UOM: '  Each ' }, '{"UOM":"Each"}'],
    [{ UOM: 'GB "hot"' }, '{"UOM":"GB \\"hot\\""}'],
    [{ RbeStatus: 'pending' }, '{"RbeStatus":"Pending"}'],
    [{ RbeStatus: ' PROCESSED ' }, '{"RbeStatus":"Processed"}'],
    [{ RbeStatus: 'Importing' }, '{"RbeStatus":"Importing"}'],
    [{ Region__c: ' EMEA / North ' }, '{"Region__c":" EMEA / North "}'],
    [{ Region__c: 'line1\nline2 "q" \\' }, '{"Region__c":"line1\\nline2 \\"q\\" \\\\"}'],
    [
      { Quantity: '10', StartDateTime: '2024-06-01', EndDateTime: '2024-06-30', UOM: 'Each', RbeStatus: 'Pending', Region__c: 'EU' },
      '{"Quantity":10,"StartDateTime":"2024-06-01T00:00:00","EndDateTime":"2024-06-30T00:00:00","UOM":"Each","RbeStatus":"Pending","Region__c":"EU"}',
    ],
    [{ Quantity: '', StartDateTime: '  ', UOM: 'Each', Region__c: '\t' }, '{"UOM":"Each"}'],
  ])('%j -> %s', (cells, expected) => {
    const result = mapRow(row(cells), columns);
    expect(body(result)).toBe(expected);
    expect(JSON.parse(expected)).toBeTypeOf('object');
  });

  it('returns the trimmed id and the fields as sent, in column order', () => {
    const result = mapRow(row({ Id: ` ${ID} `, UOM: 'Each', Quantity: '007.5' }), columns);
    expect(result).toEqual({
      ok: true,
      id: ID,
      fields: { Quantity: '7.5', UOM: 'Each' },
    });
    expect(body(result)).toBe('{"Quantity":7.5,"UOM":"Each"}');
    expect(Object.keys(result.ok ? result.fields : {})).toEqual(['Quantity', 'UOM']);
  });

  it('follows the file’s column order and names, whatever the spelling', () => {
    const map = matchColumns(['Usage: Unit of Measure', 'QTY', 'Usage.Id', 'STARTDATE'], { ignoreUnknownColumns: false });
    const result = mapRow(['Each', '3', ID, '2024-01-31'], map);
    expect(body(result)).toBe('{"UOM":"Each","Quantity":3,"StartDateTime":"2024-01-31T00:00:00"}');
  });

  it('never sends ignored, unknown or result columns', () => {
    const map = matchColumns(['Id', 'Quantity', 'AccountNumber', 'Colour', 'result'], { ignoreUnknownColumns: true });
    expect(body(mapRow([ID, '1', 'A-1', 'red', 'failed'], map))).toBe('{"Quantity":1}');
  });

  it('accepts spreadsheet dates only with a date format', () => {
    const cells = row({ StartDateTime: '06/01/2024', EndDateTime: '06/02/2024 13:30' });
    expect(body(mapRow(cells, columns, { dateFormat: 'MM/DD/YYYY' }))).toBe(
      '{"StartDateTime":"2024-06-01T00:00:00","EndDateTime":"2024-06-02T13:30:00"}',
    );
    expect(body(mapRow(cells, columns, { dateFormat: 'DD/MM/YYYY' }))).toBe(
      '{"StartDateTime":"2024-01-06T00:00:00","EndDateTime":"2024-02-06T13:30:00"}',
    );
    expect(message(mapRow(cells, columns))).toContain('--date-format');
  });
});

describe('mapRow: a decimal-comma spreadsheet', () => {
  it('with decimalComma sends 42,5 as the JSON number 42.5, digit for digit', () => {
    expect(body(mapRow(row({ Quantity: '42,5' }), columns, { decimalComma: true }))).toBe('{"Quantity":42.5}');
    expect(body(mapRow(row({ Quantity: '0,000000001' }), columns, { decimalComma: true }))).toBe('{"Quantity":0.000000001}');
    expect(message(mapRow(row({ Quantity: '1.234' }), columns, { decimalComma: true }))).toContain('may be a thousands separator');
  });

  it('counts the date-time cells written without seconds', () => {
    const result = mapRow(row({ StartDateTime: '26.02.2026 13:39', EndDateTime: '26.02.2026 23:59' }), columns, { dateFormat: 'DD.MM.YYYY' });
    expect(result).toMatchObject({ ok: true, noSeconds: 2, fields: { StartDateTime: '2026-02-26T13:39:00', EndDateTime: '2026-02-26T23:59:00' } });
    expect(mapRow(row({ StartDateTime: '26.02.2026 13:39:00' }), columns, { dateFormat: 'DD.MM.YYYY' })).not.toHaveProperty('noSeconds');
  });
});

describe('mapRow: invalid rows', () => {
  it.each([
    [{ Quantity: '1,234.5' }, 'Quantity "1,234.5" has a thousands separator; write 1234.5'],
    [{ Quantity: 'abc' }, 'Quantity "abc" is not a plain decimal number'],
    [{ Quantity: '12345678901234' }, 'Quantity "12345678901234" has 14 digits before the decimal point'],
    [{ StartDateTime: '2023-02-29' }, 'StartDateTime "2023-02-29" is not a real date: February 2023 has 28 days'],
    [{ EndDateTime: '2024-06-01T24:00:00' }, 'EndDateTime "2024-06-01T24:00:00" has the hour 24'],
    [{ RbeStatus: 'Billed' }, 'RbeStatus "Billed" is not a usage status: expected Importing, Pending, Processed'],
    [{ Id: '8.00E+31', UOM: 'Each' }, 'Id "8.00E+31" was turned into a number in scientific notation'],
    [{ Id: '', UOM: 'Each' }, 'Id is empty'],
    [
      { StartDateTime: '2024-06-02', EndDateTime: '2024-06-01T23:59:59' },
      'EndDateTime "2024-06-01T23:59:59" is before StartDateTime "2024-06-02"',
    ],
    [
      { StartDateTime: '2024-06-01T10:00:00+02:00', EndDateTime: '2024-06-01T07:59:59Z' },
      'EndDateTime "2024-06-01T07:59:59Z" is before StartDateTime "2024-06-01T10:00:00+02:00"',
    ],
    [{}, 'nothing to update: Quantity, StartDateTime, EndDateTime, UOM, RbeStatus, Region__c are all empty'],
    [{ UOM: '   ', Quantity: ' ' }, 'nothing to update'],
  ])('%j: %s', (cells, expected) => {
    const result = mapRow(row(cells), columns);
    expect(result.ok).toBe(false);
    expect(message(result)).toContain(expected);
  });

  it('accepts an end equal to the start, and ends it cannot compare', () => {
    const same = row({ StartDateTime: '2024-06-01T10:00:00+02:00', EndDateTime: '2024-06-01T08:00:00Z' });
    expect(mapRow(same, columns).ok).toBe(true);
    // Without the tenant's zone, a value with an offset and one without cannot be ordered.
    const mixed = row({ StartDateTime: '2024-06-02T00:00:00+14:00', EndDateTime: '2024-06-01T00:00:00' });
    expect(mapRow(mixed, columns).ok).toBe(true);
  });

  it('reports every problem of the row, naming the columns as the user wrote them', () => {
    const map = matchColumns(['Usage ID', 'QTY', 'Start Date', 'End Date', 'RBE Status'], { ignoreUnknownColumns: false });
    const result = mapRow(['12345', '1,5', '2024-02-30', '2024-01-01', 'done'], map);
    expect(result).toEqual({
      ok: false,
      id: '12345',
      message: [
        'Id "12345" has 5 digits instead of 32: a spreadsheet probably read it as a number and dropped leading zeros or digits; export the ids again and keep the column as text (import it as Text, not General)',
        'QTY "1,5" uses a comma as decimal separator (as a spreadsheet in a decimal-comma locale saves it); write 1.5, or pass --decimal-comma to read a file saved with decimal commas as it is (semicolon, tab or | delimiter)',
        'Start Date "2024-02-30" is not a real date: February 2024 has 29 days',
        'RBE Status "done" is not a usage status: expected Importing, Pending, Processed',
      ].join('; '),
    });
  });

  it('cuts long values in messages', () => {
    const result = mapRow(row({ Quantity: 'x'.repeat(500) }), columns);
    expect(message(result)).toContain(`"${'x'.repeat(60)}…"`);
    expect(message(result)?.length).toBeLessThan(300);
  });

  it('treats missing trailing cells as empty', () => {
    expect(body(mapRow([ID, '5'], columns))).toBe('{"Quantity":5}');
  });
});

describe('mapRow: independent of the host time zone', () => {
  const rows = [
    ['2024-06-01', '2024-06-01T00:00:00'],
    ['2024-03-10 02:30:00', '2024-03-10T03:30:00'],
    ['2024-03-31T02:30:00', '2024-10-27T02:30:00'],
    ['2024-06-01T10:00:00+02:00', '2024-06-01T08:00:00Z'],
    ['2024-12-31T23:59:59.999-12:00', '2025-01-01T00:00:00+14:00'],
    ['1900-01-01', '1970-01-01T00:00:00'],
  ];

  const script = `
    import { matchColumns } from './src/input/columns.ts';
    import { mapRow } from './src/rows/map-row.ts';
    import { normalizeDateTime, compareDateTimes } from './src/rows/date-time.ts';
    const rows = ${JSON.stringify(rows)};
    const columns = matchColumns(['Id', 'StartDateTime', 'EndDateTime'], { ignoreUnknownColumns: false });
    const out = rows.map(([start, end]) => ({
      mapped: mapRow(['${ID}', start, end], columns),
      start: normalizeDateTime(start),
      order: compareDateTimes(end, start) ?? null,
      slashed: normalizeDateTime('3/10/2024 2:30 AM', { dateFormat: 'MM/DD/YYYY' }),
    }));
    process.stdout.write(JSON.stringify({ offset: new Date(2024, 0, 1).getTimezoneOffset(), out }));
  `;

  async function inZone(tz: string): Promise<{ offset: number; out: unknown }> {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: root, env: { ...process.env, TZ: tz } },
    );
    return JSON.parse(stdout) as { offset: number; out: unknown };
  }

  it('maps the same date rows to the same bodies in UTC+14 and UTC-8', async () => {
    const [kiritimati, losAngeles] = await Promise.all([inZone('Pacific/Kiritimati'), inZone('America/Los_Angeles')]);
    // The zones really differ, so identical output means the mapping ignores them.
    expect(kiritimati.offset).not.toBe(losAngeles.offset);
    expect(kiritimati.out).toEqual(losAngeles.out);
    const dateColumns = matchColumns(['Id', 'StartDateTime', 'EndDateTime'], { ignoreUnknownColumns: false });
    const local = rows.map(([start, end]) => mapRow([ID, start ?? '', end ?? ''], dateColumns));
    expect((kiritimati.out as Array<{ mapped: MappedRow }>).map((entry) => entry.mapped)).toEqual(local);
  });
});
