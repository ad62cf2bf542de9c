import { describe, expect, it } from 'vitest';
import { spreadsheetSafe } from '../../../src/output/spreadsheet-safe.js';

describe('spreadsheetSafe', () => {
  it.each([
    ['=HYPERLINK("http://x")', `'=HYPERLINK("http://x")`],
    ['+1', `'+1`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\tcmd', `'\tcmd`],
    ['Invalid value', 'Invalid value'],
    ['', ''],
  ])('%j -> %j', (input, expected) => {
    expect(spreadsheetSafe(input)).toBe(expected);
  });
  it('writes nothing for a missing value', () => {
    expect(spreadsheetSafe(undefined)).toBe('');
  });
});
