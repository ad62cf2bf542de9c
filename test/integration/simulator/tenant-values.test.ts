// Pure value rules of the simulated tenant (kept beside the simulator tests: the simulator owns them).
import { describe, expect, it } from 'vitest';
import { plainDecimal, rawArrayItems, rawNumberLiteral } from '../../../src/simulator/quantity.js';
import { offsetMinutes, parseDateTime, toTenantDateTime } from '../../../src/simulator/tenant-time-zone.js';

describe('rawNumberLiteral', () => {
  it.each([
    ['{"Quantity":1.50}', '1.50'],
    ['{ "Quantity" : -0.000000001 }', '-0.000000001'],
    ['{"UOM":"\\"Quantity\\": 9","Quantity":2}', '2'],
    ['{"X__c":{"Quantity":5},"Quantity":3}', '3'],
    ['{"X__c":[1,{"Quantity":5}],"Quantity":4e2}', '4e2'],
    ['{"Quantity":1,"Quantity":2.0}', '2.0'],
    ['{"Quantity":"7"}', undefined],
    ['{"UOM":"GB"}', undefined],
  ])('reads %s as %s', (json, literal) => {
    expect(rawNumberLiteral(json, 'Quantity')).toBe(literal);
  });
});

describe('rawArrayItems', () => {
  it.each([
    ['{"type":"Usage","objects":[{"Id":"a","Quantity":1.50},{"Id":"b","Quantity":2.0}]}', ['{"Id":"a","Quantity":1.50}', '{"Id":"b","Quantity":2.0}']],
    ['{ "objects" : [ { "UOM" : "a,]}" } , "x" , 3 ] }', ['{ "UOM" : "a,]}" }', '"x"', '3']],
    ['{"objects":[{"X__c":[1,{"objects":[9]}]}],"type":"Usage"}', ['{"X__c":[1,{"objects":[9]}]}']],
    ['{"other":[1,2],"objects":[]}', []],
    ['{"objects":[1],"objects":[2,3]}', ['2', '3']],
    ['{"type":"Usage"}', []],
  ])('splits %s', (json, items) => {
    expect(rawArrayItems(json, 'objects')).toEqual(items);
  });

  it('keeps the exact Quantity digits of each object', () => {
    const items = rawArrayItems('{"objects":[{"Quantity":1234567890123.123456789},{"Quantity":1e-9}]}', 'objects');
    expect(items.map((item) => rawNumberLiteral(item, 'Quantity'))).toEqual(['1234567890123.123456789', '1e-9']);
  });
});

describe('plainDecimal', () => {
  it.each([
    ['7.50', '7.50'],
    ['0.125', '0.125'],
    ['-3.25', '-3.25'],
    ['1234567890123.123456789', '1234567890123.123456789'],
    ['1.50e1', '15.0'],
    ['25E-3', '0.025'],
    ['1e3', '1000'],
    ['12345678901234', undefined],
    ['1.1234567891', undefined],
    ['1e999999', undefined],
    ['1,5', undefined],
  ])('writes %s as %s', (literal, decimal) => {
    expect(plainDecimal(literal)).toBe(decimal);
  });
});

describe('tenant date-times', () => {
  const pacific = offsetMinutes('-08:00') as number;

  it.each([
    ['2026-01-15T00:00:00', '2026-01-15T00:00:00.000-08:00'],
    ['2026-01-15T00:00:00.1', '2026-01-15T00:00:00.100-08:00'],
    ['2026-01-15T00:00:00+00:00', '2026-01-14T16:00:00.000-08:00'],
    ['2024-06-30T02:00:00.000+01:00', '2024-06-29T17:00:00.000-08:00'],
    ['2028-02-29T12:00:00', '2028-02-29T12:00:00.000-08:00'],
    ['2026-02-29T12:00:00', undefined],
    ['2026-01-15T24:00:00', undefined],
    ['2026-01-15', undefined],
    ['2026-01-15 00:00:00', undefined],
    ['2026-01-15T00:00:00+15:00', undefined],
  ])('stores %s as %s in a -08:00 tenant', (text, stored) => {
    expect(toTenantDateTime(text, pacific)).toBe(stored);
  });

  it('reads the offset forms it is given', () => {
    expect(offsetMinutes('+05:30')).toBe(330);
    expect(offsetMinutes('Z')).toBe(0);
    expect(offsetMinutes('-08')).toBeUndefined();
    expect(parseDateTime('1970-01-01T00:00:00', 0)).toBe(0);
  });
});
