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
    ['1,234', 'has a thousands separator; write 1234 (or 1.234 if the comma was meant as a decimal point)'],
    ['1 234,5', 'uses thousands separators and a decimal comma; write 1234.5'],
    ['1\u00a0234\u00a0567,5', 'uses thousands separators and a decimal comma; write 1234567.5'],
    ['1 234', 'has a thousands separator; write 1234'],
    ["1'234.5", 'has a thousands separator; write 1234.5'],
    ['7,5', 'uses a comma as decimal separator; write 7.5'],
    ['-0,25', 'uses a comma as decimal separator; write -0.25'],
    ['1.234,5', 'uses thousands separators and a decimal comma; write 1234.5'],
    ['1.2E+6', 'is in scientific notation, which is not accepted (a spreadsheet may have rounded it); write 1200000'],
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
