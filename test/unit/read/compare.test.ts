import { describe, expect, it } from 'vitest';
import { createPreviewJudge } from '../../../src/preview/judge-preview.js';
import { differences, formatDecimal, parseDecimal, sameValue, subtractDecimals } from '../../../src/read/compare.js';

describe('sameValue', () => {
  it.each([
    ['Quantity', '5', '5.000', true],
    ['Quantity', '007.50', '7.5', true],
    ['Quantity', '-0', '0', true],
    ['Quantity', '1500', '1.5E3', true],
    ['Quantity', '1234567890123.123456789', '1234567890123.12345679', false],
    ['Quantity', '5', '5.0000000001', false],
  ])('decimals: %s %s vs %s -> %s', (field, row, zuora, same) => {
    expect(sameValue(field, row, zuora)).toBe(same);
  });

  it.each([
    // With an offset: the same instant, whatever the offset.
    ['2015-01-01T16:00:00+04:00', '2015-01-01T04:00:00.000-08:00', true],
    ['2015-01-01T12:00:00+00:00', '2015-01-01T04:00:00.000-08:00', true],
    ['2015-01-01T12:00:00.001+00:00', '2015-01-01T04:00:00.000-08:00', false],
    // Without offset: the wall-clock time of the tenant's zone, the local part of Zuora's value.
    ['2015-01-01T04:00:00', '2015-01-01T04:00:00.000-08:00', true],
    ['2015-01-01T12:00:00', '2015-01-01T04:00:00.000-08:00', false],
    ['2026-03-01T00:00:00', '2026-03-01T00:00:00.000+05:30', true],
  ])('date-times: %s vs %s -> %s', (row, zuora, same) => {
    expect(sameValue('StartDateTime', row, zuora)).toBe(same);
  });

  it('reads a value without offset in the tenant offset given, whatever the other side carries', () => {
    // An earlier row set +04:00; the tenant is -08:00: 16:00+04:00 is 04:00 tenant time.
    expect(sameValue('EndDateTime', '2015-01-01T04:00:00', '2015-01-01T16:00:00+04:00', -480)).toBe(true);
    expect(sameValue('EndDateTime', '2015-01-01T16:00:00+04:00', '2015-01-01T04:00:00', -480)).toBe(true);
  });

  it.each([
    ['UOM', 'GB', 'GB', true],
    ['UOM', 'GB', 'gb', false],
    ['RbeStatus', 'Pending', 'Pending', true],
    ['Region__c', ' EMEA', 'EMEA', false],
    ['Count__c', '5', '5', true],
    ['Count__c', '5.0', '5', false],
  ])('text: %s %j vs %j -> %s', (field, row, zuora, same) => {
    expect(sameValue(field, row, zuora)).toBe(same);
  });

  it('a field Zuora left out equals no non-empty cell', () => {
    expect(sameValue('Region__c', 'EMEA', undefined)).toBe(false);
    expect(sameValue('Quantity', '0', undefined)).toBe(false);
  });
});

describe('differences', () => {
  it('names each differing field with both values, in the row order', () => {
    const record = { Id: 'a', Quantity: '4', UOM: 'GB', StartDateTime: '2026-01-15T00:00:00.000-08:00' };
    expect(differences({ UOM: 'MB', Quantity: '4.0', StartDateTime: '2026-01-15T00:00:00', Region__c: 'EU' }, record)).toEqual([
      { field: 'UOM', row: 'MB', zuora: 'GB' },
      { field: 'Region__c', row: 'EU', zuora: undefined },
    ]);
  });
});

describe('decimals', () => {
  it('subtracts exactly and formats without trailing zeros', () => {
    const change = subtractDecimals(parseDecimal('1234567890123.123456789')!, parseDecimal('0.000000001')!);
    expect(formatDecimal(change)).toBe('1234567890123.123456788');
    expect(formatDecimal(subtractDecimals(parseDecimal('2.50')!, parseDecimal('5')!))).toBe('-2.5');
    expect(formatDecimal(subtractDecimals(parseDecimal('5')!, parseDecimal('5.000')!))).toBe('0');
    expect(formatDecimal(parseDecimal('-0.05')!)).toBe('-0.05');
  });
});

/**
 * A tenant in a zone with daylight saving (America/Los_Angeles): Zuora writes each date-time in the
 * tenant's zone at that date, so a record's StartDateTime in January carries -08:00 and its EndDateTime
 * in April -07:00. The simulator's tenant has one fixed offset, so this is shown on the comparison itself.
 */
const record = { Id: 'a'.repeat(32), RbeStatus: 'Pending', StartDateTime: '2026-01-15T00:00:00.000-08:00', EndDateTime: '2026-04-01T00:00:00.000-07:00' };

describe('date-times of a tenant with daylight saving', () => {
  it('a cell without offset equals the local part of Zuora\'s value of that field, whatever the offset of the other', () => {
    expect(differences({ EndDateTime: '2026-04-01T00:00:00' }, record)).toEqual([]);
    expect(differences({ StartDateTime: '2026-01-15T00:00:00', EndDateTime: '2026-04-01T00:00:00' }, record)).toEqual([]);
  });

  it('and a value an hour off is a difference (never "verified")', () => {
    expect(differences({ EndDateTime: '2026-03-31T23:00:00' }, record)).toEqual([
      { field: 'EndDateTime', row: '2026-03-31T23:00:00', zuora: '2026-04-01T00:00:00.000-07:00' },
    ]);
  });

  it('--preview says unchanged, not would-update, for a row holding the EndDateTime Zuora holds', () => {
    const judge = createPreviewJudge(['EndDateTime']);
    const verdict = judge.judge(record.Id, { EndDateTime: '2026-04-01T00:00:00' }, { kind: 'found', record, call: { trackId: 'q1' } });
    expect(verdict.result).toBe('unchanged');
    const moved = judge.judge(record.Id, { EndDateTime: '2026-03-31T23:00:00' }, undefined);
    expect(moved.result).toBe('would-update');
  });
});
