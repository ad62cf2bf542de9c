import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../../../src/rows/quantity.js';

describe('parseQuantity: accepted values keep their digits', () => {
  it.each([
    ['7', '7'],
    ['7.50', '7.50'],
    ['007.50', '7.50'],
    ['000', '0'],
    ['0', '0'],
    ['0.000000001', '0.000000001'],
    ['-0.5', '-0.5'],
    ['-12', '-12'],
    ['-007', '-7'],
    ['.5', '0.5'],
    ['-.5', '-0.5'],
    ['5.', '5'],
    ['+5', '5'],
    [' 12.5 ', '12.5'],
    ['\t3\t', '3'],
    ['1234567890123', '1234567890123'],
    ['1234567890123.123456789', '1234567890123.123456789'],
    ['9999999999999.999999999', '9999999999999.999999999'],
    ['0000000000000001.1', '1.1'],
    ['100.000000000', '100.000000000'],
    ['0.1', '0.1'],
  ])('%j -> %s', (text, json) => {
    expect(parseQuantity(text)).toEqual({ ok: true, json });
  });

  it('never goes through a float: values a double cannot hold stay exact', () => {
    for (const text of ['1234567890123.123456789', '0.300000000', '9007199254740.993', '0.1']) {
      const result = parseQuantity(text);
      expect(result.ok && result.json).toBe(text);
    }
  });
});

describe('parseQuantity: refused values say why and what to write', () => {
  it.each([
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['-', 'is not a number'],
    ['.', 'is not a number'],
    ['1,234.5', 'has a thousands separator; write 1234.5'],
    ['-1,234,567.25', 'has a thousands separator; write -1234567.25'],
    ['1,234', 'has a thousands separator; write 1234 (or 1.234 if the comma was meant as a decimal point; then write it so, or pass --decimal-comma'],
    ['1 234,5', 'uses thousands separators and a decimal comma (as a spreadsheet in a decimal-comma locale shows it); write 1234.5'],
    ['1\u00a0234\u00a0567,5', 'write 1234567.5'],
    ['1 234', 'has a thousands separator; write 1234'],
    ["1'234.5", 'has a thousands separator; write 1234.5'],
    ['7,5', 'uses a comma as decimal separator (as a spreadsheet in a decimal-comma locale saves it); write 7.5, or pass --decimal-comma'],
    ['-0,25', 'write -0.25, or pass --decimal-comma'],
    ['1.234,5', 'uses thousands separators and a decimal comma (as a spreadsheet in a decimal-comma locale shows it); write 1234.5'],
    ['1.2E+6', 'is in scientific notation: a spreadsheet wrote it so'],
    ['1.2E+6', 'write 1200000'],
    ['1e3', 'is in scientific notation'],
    ['-2.5e-3', 'write -0.0025'],
    ['8.00E+31', 'is in scientific notation'],
    ['(5)', 'is an accounting-style negative; write -5'],
    ['12345678901234', 'has 14 digits before the decimal point; Zuora accepts at most 13'],
    ['1.1234567891', 'has 10 decimals; Zuora accepts at most 9'],
    ['1.5000000000', 'has 10 decimals'],
    ['10 kg', 'is not a plain decimal number'],
    ['$5', 'is not a plain decimal number'],
    ['--5', 'is not a plain decimal number'],
    ['1.2.3', 'is not a plain decimal number'],
    ['0x10', 'is not a plain decimal number'],
    ['Infinity', 'is not a plain decimal number'],
    ['NaN', 'is not a plain decimal number'],
    ['\u22125', 'is not a plain decimal number'],
    ['５', 'is not a plain decimal number'],
  ])('%j: %s', (text, message) => {
    const result = parseQuantity(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(message);
  });
});

describe('parseQuantity: a decimal-comma file without --decimal-comma', () => {
  it.each([
    ['0,125', '0.125'],
    ['42,5', '42.5'],
    ['0,0625', '0.0625'],
  ])('%j names --decimal-comma and the dot value, never the digits run together', (text, dotted) => {
    const result = parseQuantity(text);
    expect(result.ok).toBe(false);
    const message = !result.ok ? result.message : '';
    expect(message).toContain('--decimal-comma');
    expect(message).toContain(`write ${dotted}`);
    expect(message).not.toContain(`write ${text.replace(',', '')}`);
  });
});

describe('parseQuantity with --decimal-comma', () => {
  it.each([
    ['42,5', '42.5'],
    ['0,125', '0.125'],
    ['-3,25', '-3.25'],
    ['1234,5', '1234.5'],
    ['0,000001', '0.000001'],
    ['7', '7'],
    ['5,', '5'],
    [',5', '0.5'],
    ['0,123456789', '0.123456789'],
    ['1234567890123,123456789', '1234567890123.123456789'],
    // A single . is a decimal point unless exactly three digits follow (the text a spreadsheet kept).
    ['3139.94', '3139.94'],
    ['1.5', '1.5'],
    ['0.0625', '0.0625'],
    ['0.000001', '0.000001'],
    ['-2.5', '-2.5'],
  ])('%j is sent as %s, digit for digit', (text, json) => {
    expect(parseQuantity(text, { decimalComma: true })).toEqual({ ok: true, json });
  });

  it.each([
    ['1.234', 'has a . followed by exactly three digits, which with --decimal-comma may be a thousands separator; write 1234 if it is, or 1,234 if the . is a decimal point'],
    ['0.125', 'write 125 if it is, or 0,125 if the . is a decimal point'],
    ['-312.091', 'write -312091 if it is, or -312,091 if the . is a decimal point'],
    ['1.234,5', 'has a thousands separator; write 1234,5'],
    ['1.234.567,5', 'has a thousands separator; write 1234567,5'],
    ['1,234.5', 'write 1234,5'],
    ['1,2,3', 'is not a decimal number: with --decimal-comma'],
    ['1,00E+03', 'is in scientific notation: a spreadsheet wrote it so'],
    ['1,00E+03', 'write 1000'],
    ['5.00E-7', 'write 0,0000005'],
    ['', 'expected a decimal number such as 12,5'],
    ['1,1234567891', 'has 10 decimals'],
  ])('%j: %s', (text, message) => {
    const result = parseQuantity(text, { decimalComma: true });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(message);
  });
});
