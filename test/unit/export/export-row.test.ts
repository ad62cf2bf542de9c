import { describe, expect, it } from 'vitest';
import { exportCells, exportSortKey, plainQuantity } from '../../../src/export/export-row.js';

describe('plainQuantity', () => {
  it.each([
    ['5.00E-7', '0.000000500'],
    ['1.5E3', '1500'],
    ['-2.5e-2', '-0.025'],
    ['4411.27', '4411.27'],
    ['1234567890123.123456789', '1234567890123.123456789'],
    ['-0.0', '-0.0'],
  ])('writes %s as %s, digit for digit', (answer, plain) => {
    expect(plainQuantity(answer)).toBe(plain);
  });
});

describe('exportCells', () => {
  const record = {
    Id: '8ad00000000000000000000000000001',
    Quantity: '5.00E-7',
    StartDateTime: '2026-01-08T00:00:00.000-08:00',
    UOM: '=GB',
    Region__c: '+EMEA',
    AccountNumber: '=HYPERLINK("x")',
    Description: '-2 units\nsecond line',
    RbeStatus: 'Pending',
  };

  it('writes updatable cells raw and context text formula-safe, absent fields empty', () => {
    expect(exportCells(record, ['Region__c'], false)).toEqual([
      record.Id,
      '0.000000500',
      record.StartDateTime,
      '',
      '=GB',
      '+EMEA',
      `'=HYPERLINK("x")`,
      '',
      '',
      "'-2 units\nsecond line",
      'Pending',
    ]);
  });

  it('writes a decimal comma when asked', () => {
    expect(exportCells({ ...record, Quantity: '42.5' }, [], true)[1]).toBe('42,5');
  });
});

describe('exportSortKey', () => {
  it('orders by the StartDateTime instant whatever the offset, then by Id without regard to case', () => {
    const keys = [
      exportSortKey({ Id: 'B', StartDateTime: '2026-03-08T01:30:00.000-08:00' }),
      exportSortKey({ Id: 'a', StartDateTime: '2026-03-08T03:00:00.000-07:00' }),
      exportSortKey({ Id: 'A0', StartDateTime: '2026-03-08T01:00:00.000-08:00' }),
      exportSortKey({ Id: 'c', StartDateTime: '1969-12-31T00:00:00.000+00:00' }),
    ];
    expect([...keys].sort().map((key) => keys.indexOf(key))).toEqual([3, 2, 0, 1]);
    expect(exportSortKey({ Id: 'B', StartDateTime: '2026-01-01T00:00:00Z' }) > exportSortKey({ Id: 'a', StartDateTime: '2026-01-01T00:00:00Z' })).toBe(true);
  });
});
