import { describe, expect, it } from 'vitest';
import { createPreviewJudge } from '../../../src/preview/judge-preview.js';
import type { ItemRead } from '../../../src/read/read-ahead.js';
import { createTimes1000Tracker, quantityTimes1000 } from '../../../src/read/times-1000.js';
import { parseQuantity } from '../../../src/rows/quantity.js';
import { formatDecimal, parseDecimal } from '../../../src/read/compare.js';

describe('quantityTimes1000: the judgement (row quantity, row UOM, Zuora quantity, Zuora UOM)', () => {
  it.each([
    ['exactly 1000 ×, UOM empty', '312091', undefined, '312.091', 'GB'],
    ['exactly 1000 ×, same UOM', '312091', 'GB', '312.091', 'GB'],
    ['exactly 1000 ×, same UOM in another case and with spaces', '125', ' gb ', '0.125', 'GB'],
    ['exactly 1000 ×, written with trailing zeros', '100000.000', undefined, '100.000', 'Each'],
    ['exactly 1000 ×, Zuora answered in exponent form', '0.0005', undefined, '5.00E-7', 'GB'],
    ['exactly 1000 × a negative quantity', '-3250', undefined, '-3.25', 'Minutes'],
    ['exactly 1000 ×, Zuora holds no UOM and the cell is empty', '1000', undefined, '1', undefined],
  ])('refused: %s', (_name, row, rowUom, zuora, zuoraUom) => {
    const refusal = quantityTimes1000(row, rowUom, zuora, zuoraUom);
    expect(refusal?.errorCode).toBe('QUANTITY_TIMES_1000');
  });

  it.each([
    ['999.999 ×', '312090.687909', undefined, '312.091', 'GB'],
    ['1000.001 ×', '312091.312091', undefined, '312.091', 'GB'],
    ['Zuora holds zero', '0', undefined, '0', 'GB'],
    ['Zuora holds zero written 0.000', '0', undefined, '0.000', 'GB'],
    ['a UOM change (GB to MB)', '312091', 'MB', '312.091', 'GB'],
    ['the cell has a UOM and Zuora none', '1000', 'Each', '1', undefined],
    ['1000 × with the sign turned', '-312091', undefined, '312.091', 'GB'],
    ['1 ×', '312.091', undefined, '312.091', 'GB'],
    ['1/1000 ×', '0.312091', undefined, '312.091', 'GB'],
    ['no Quantity cell', undefined, 'GB', '312.091', 'GB'],
    ['Zuora has no quantity', '1000', undefined, undefined, 'GB'],
  ])('allowed: %s', (_name, row, rowUom, zuora, zuoraUom) => {
    expect(quantityTimes1000(row, rowUom, zuora, zuoraUom)).toBeUndefined();
  });

  it("names both values, the cause and the fix, in the SPEC's words", () => {
    expect(quantityTimes1000('312091', undefined, '312.091', 'GB')?.errorMessage).toBe(
      "Quantity 312091 is exactly 1000 × Zuora's 312.091: a spreadsheet probably read the decimal point as a thousands separator; write 312.091, or pass --allow-times-1000 if 312091 is meant. Not sent.",
    );
  });

  it('with --decimal-comma tells to write the value with a comma, which that flag reads', () => {
    expect(quantityTimes1000('125', undefined, '0.125', 'GB', { decimalComma: true })?.errorMessage).toContain("Quantity 125 is exactly 1000 × Zuora's 0,125");
    expect(quantityTimes1000('125', undefined, '0.125', 'GB', { decimalComma: true })?.errorMessage).toContain('write 0,125, or pass --allow-times-1000');
  });

  it('exact decimals: a value no double holds still compares exactly', () => {
    expect(quantityTimes1000('9007199254740993', undefined, '9007199254740.993', 'GB')).toBeDefined();
    expect(quantityTimes1000('9007199254740992', undefined, '9007199254740.993', 'GB')).toBeUndefined();
  });
});

describe('rows sharing an Id are judged against what the earlier rows leave', () => {
  const record = { Id: 'a', Quantity: '0.125', UOM: 'GB' };

  it('a later row 1000 × the quantity an earlier row set is refused; 1000 × the original is then allowed', () => {
    const tracker = createTimes1000Tracker();
    expect(tracker.judge('a', { Quantity: '2.5' }, record)).toBeUndefined();
    expect(tracker.judge('a', { Quantity: '2500' })?.errorCode).toBe('QUANTITY_TIMES_1000');
    // The refused row left nothing: Zuora would still hold 2.5 after it.
    expect(tracker.judge('A', { Quantity: '2500' })?.errorCode).toBe('QUANTITY_TIMES_1000');
    expect(tracker.judge('a', { Quantity: '125' })).toBeUndefined();
  });

  it('an earlier row that changes the UOM makes the later row compare with the new UOM', () => {
    const tracker = createTimes1000Tracker();
    expect(tracker.judge('a', { UOM: 'MB' }, record)).toBeUndefined();
    expect(tracker.judge('a', { Quantity: '125', UOM: 'GB' })).toBeUndefined();
    expect(tracker.judge('a', { Quantity: '125000', UOM: 'GB' })?.errorCode).toBe('QUANTITY_TIMES_1000');
  });

  it('a second read of the Id (a later row read again) does not replace what the earlier rows leave', () => {
    const tracker = createTimes1000Tracker();
    expect(tracker.judge('a', { Quantity: '2.5' }, record)).toBeUndefined();
    expect(tracker.judge('a', { Quantity: '2500' }, record)?.errorCode).toBe('QUANTITY_TIMES_1000');
  });

  it('an Id not read in this run is not judged', () => {
    expect(createTimes1000Tracker().judge('b', { Quantity: '125' })).toBeUndefined();
  });

  it.each([
    ['0.125', 'GB'],
    ['-0.05', 'Each'],
    ['7', undefined],
    ['99999999.999', ''],
    ['312.0910', 'GB'],
    ['00012.5', 'GB'],
    ['+2.5', 'GB'],
    ['1.5E3', 'GB'],
    ['.5', 'GB'],
    [' 2.5 ', 'GB'],
    ['123456789012.5', 'GB'],
    ['0.00000000000001', 'GB'],
  ])('keeps Zuora\'s Quantity %j and UOM %j exactly, whether packed into a number or not: the refusal reads as from the values themselves', (quantity, uom) => {
    const tracker = createTimes1000Tracker();
    const zuora = { Id: 'a', Quantity: quantity, UOM: uom };
    expect(tracker.judge('a', { StartDateTime: '2026-01-01' }, zuora)).toBeUndefined();
    const decimal = parseDecimal(quantity)!;
    const times1000 = formatDecimal({ units: decimal.units * 1000n, scale: decimal.scale });
    expect(tracker.judge('a', { Quantity: times1000 })).toEqual(quantityTimes1000(times1000, undefined, quantity, uom));
    expect(tracker.judge('a', { Quantity: times1000 })?.errorCode).toBe('QUANTITY_TIMES_1000');
  });

  it('sized from the start for the input (expectedIds), keeps every Id read as one grown as Ids come', () => {
    for (const tracker of [createTimes1000Tracker({ expectedIds: 5000 }), createTimes1000Tracker({ expectedIds: 10 }), createTimes1000Tracker()]) {
      for (let i = 0; i < 5000; i++) tracker.judge(`id${i}`, {}, { Quantity: `${i + 1}.5`, UOM: 'GB' });
      expect(tracker.judge('id0', { Quantity: '1500' })?.errorCode).toBe('QUANTITY_TIMES_1000');
      expect(tracker.judge('ID4999', { Quantity: '5000500', UOM: 'gb' })?.errorCode).toBe('QUANTITY_TIMES_1000');
      expect(tracker.judge('id2500', { Quantity: '2500500' })).toBeUndefined();
    }
  });

  it('keeps a thousand and more distinct UOMs apart (those past the first 1,000 in a Map)', () => {
    const tracker = createTimes1000Tracker();
    for (let i = 0; i < 1100; i++) tracker.judge(`id${i}`, {}, { Quantity: '2.5', UOM: `unit${i}` });
    expect(tracker.judge('id1050', { Quantity: '2500', UOM: 'unit1050' })?.errorCode).toBe('QUANTITY_TIMES_1000');
    expect(tracker.judge('id1050', { Quantity: '2500', UOM: 'unit1049' })).toBeUndefined();
    expect(tracker.judge('id3', { Quantity: '2500', UOM: 'UNIT3' })?.errorCode).toBe('QUANTITY_TIMES_1000');
  });
});

describe('the preview judge refuses them, unless --allow-times-1000', () => {
  const call = { trackId: 'p-q1', requestId: 'r-1', httpStatus: 200 };
  const found: ItemRead = { kind: 'found', record: { Id: 'a', RbeStatus: 'Pending', Quantity: '312.091', UOM: 'GB' }, call };

  it('invalid, QUANTITY_TIMES_1000, before_ holding Zuora’s value, the read call’s ids', () => {
    const verdict = createPreviewJudge(['Quantity']).judge('a', { Quantity: '312091' }, found);
    expect(verdict).toMatchObject({ result: 'invalid', errorCode: 'QUANTITY_TIMES_1000', before: ['312.091'], call });
    expect(verdict.quantityChange).toBeUndefined();
  });

  it('a same-Id earlier row: judged against what it leaves', () => {
    const judge = createPreviewJudge(['Quantity']);
    expect(judge.judge('a', { Quantity: '1.5' }, found)).toMatchObject({ result: 'would-update' });
    expect(judge.judge('a', { Quantity: '1500' }, undefined)).toMatchObject({ result: 'invalid', errorCode: 'QUANTITY_TIMES_1000' });
    expect(judge.judge('a', { Quantity: '312091' }, undefined)).toMatchObject({ result: 'would-update' });
  });

  it('--allow-times-1000 turns it off', () => {
    const verdict = createPreviewJudge(['Quantity'], undefined, { allowTimes1000: true }).judge('a', { Quantity: '312091' }, found);
    expect(verdict).toMatchObject({ result: 'would-update' });
  });

  it('wins over blocked: a billed record with a 1000-fold quantity is a file error first', () => {
    const billed: ItemRead = { ...found, record: { ...found.record, RbeStatus: 'Processed' } } as ItemRead;
    expect(createPreviewJudge(['Quantity']).judge('a', { Quantity: '312091' }, billed)).toMatchObject({ result: 'invalid', errorCode: 'QUANTITY_TIMES_1000' });
  });
});

describe('the --decimal-comma dot rule', () => {
  it.each([
    ['1.234', false],
    ['1.234,5', false],
    ['3139.94', true],
    ['1.5', true],
  ])('%j accepted: %s', (text, accepted) => {
    expect(parseQuantity(text, { decimalComma: true }).ok).toBe(accepted);
  });

  it('3139.94 and 1.5 are read as decimals', () => {
    expect(parseQuantity('3139.94', { decimalComma: true })).toEqual({ ok: true, json: '3139.94' });
    expect(parseQuantity('1.5', { decimalComma: true })).toEqual({ ok: true, json: '1.5' });
  });
});
