import { describe, expect, it } from 'vitest';
import { matchColumns } from '../../../src/input/columns.js';
import { mapRow } from '../../../src/rows/map-row.js';
import { updateBatchBody } from '../../../src/send/post-update-batch.js';
import { usageJson } from '../../../src/send/usage-json.js';

const A = '8ad00000000000000000000000000001';
const B = '8ad00000000000000000000000000002';

describe('usageJson: the fields as JSON text, written once by the transport', () => {
  it.each([
    ['a quantity keeps its trailing zero', { Quantity: '1.50' }, '{"Quantity":1.50}'],
    ['a quantity beyond a double keeps every digit', { Quantity: '1234567890123.123456789' }, '{"Quantity":1234567890123.123456789}'],
    ['a tiny quantity is not written in exponent form', { Quantity: '0.000000001' }, '{"Quantity":0.000000001}'],
    ['a negative zero stays as written', { Quantity: '-0.0' }, '{"Quantity":-0.0}'],
    ['text that looks like a number stays text', { Region__c: '5', UOM: '007' }, '{"Region__c":"5","UOM":"007"}'],
    ['quotes, backslashes and control characters are escaped', { Region__c: 'a "b" \\ c\n' }, '{"Region__c":"a \\"b\\" \\\\ c\\n"}'],
    ['fields in their order', { UOM: 'Each', Quantity: '3', StartDateTime: '2024-01-31T00:00:00' }, '{"UOM":"Each","Quantity":3,"StartDateTime":"2024-01-31T00:00:00"}'],
  ])('%s', (_name, fields, expected) => {
    expect(usageJson(fields)).toBe(expected);
  });

  it('reads back to the same values, the quantity digit for digit', () => {
    const fields = { Quantity: '7.50', UOM: 'GB', Region__c: 'Zürich "Nord"' };
    const parsed = JSON.parse(usageJson(fields).replace(/"Quantity":([^,}]+)/, '"Quantity":"$1"')) as Record<string, string>;
    expect(parsed).toEqual(fields);
  });

  it('with an Id, is an Actions object: the Id first, then the fields', () => {
    expect(usageJson({ Quantity: '2.50', UOM: 'Each' }, A)).toBe(`{"Id":"${A}","Quantity":2.50,"UOM":"Each"}`);
  });
});

describe('updateBatchBody: an Actions call from the rows\' fields', () => {
  /** How the body was built before the fields travelled as fields: each row's PUT body text, sliced after its `{`. */
  const fromBodies = (rows: Array<{ id: string; body: string }>): string =>
    `{"type":"Usage","objects":[${rows.map(({ id, body }) => `{"Id":${JSON.stringify(id)},${body.trim().slice(1)}`).join(',')}]}`;

  it('equals the body sliced from the rows\' PUT bodies, for rows mapped from a file', () => {
    const columns = matchColumns(['Id', 'Quantity', 'UOM', 'StartDateTime', 'Region__c'], { ignoreUnknownColumns: false });
    const cells = [
      [A, '007.50', 'Each', '2024-01-31', 'Nord "A"'],
      [B, '-1234567890123.123456789', '', '2024-02-01 13:30', ''],
    ];
    const mapped = cells.map((row) => mapRow(row, columns)).map((row) => (row.ok ? row : expect.unreachable(JSON.stringify(row))));
    const rows = mapped.map((row) => ({ update: { id: row.id, fields: row.fields, trackId: 't' }, attempts: 0 }));
    const body = updateBatchBody(rows);
    expect(body).toBe(fromBodies(mapped.map((row) => ({ id: row.id, body: usageJson(row.fields) }))));
    expect(body).toBe(
      `{"type":"Usage","objects":[{"Id":"${A}","Quantity":7.50,"UOM":"Each","StartDateTime":"2024-01-31T00:00:00","Region__c":"Nord \\"A\\""},` +
        `{"Id":"${B}","Quantity":-1234567890123.123456789,"StartDateTime":"2024-02-01T13:30:00"}]}`,
    );
  });
});
