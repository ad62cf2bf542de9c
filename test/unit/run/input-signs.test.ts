import { describe, expect, it } from 'vitest';
import { matchColumns } from '../../../src/input/columns.js';
import { createInputSigns } from '../../../src/run/input-signs.js';

const HEADER = ['Id', 'Quantity', 'UOM'];
const columns = matchColumns(HEADER, { ignoreUnknownColumns: false });

function signsOf(delimiter: string, quantities: string[]): string | undefined {
  const signs = createInputSigns(columns, delimiter);
  for (const quantity of quantities) signs.note(['a'.repeat(32), quantity, 'GB'], 0);
  return signs.decimalCommaSigns();
}

describe('the signs of a decimal-comma spreadsheet in a file', () => {
  it.each([
    ['a ; delimiter alone', ';', ['1', '2.5'], 'a ; delimiter'],
    ['decimal commas (quoted in a , file)', ',', ['42,5', '0,125', '7'], 'decimal commas in Quantity (2)'],
    ['German thousands and a decimal comma', ',', ['1.234,5'], 'decimal commas in Quantity (1)'],
    ['decimal points and decimal commas in one file', '\t', ['42,5', '3139.94', '1.5'], 'decimal commas and decimal points in one Quantity column (1 and 2)'],
    ['; and decimal commas', ';', ['42,5'], 'a ; delimiter and decimal commas in Quantity (1)'],
  ])('%s', (_name, delimiter, quantities, expected) => {
    expect(signsOf(delimiter, quantities)).toBe(expected);
  });

  it.each([
    ['dot decimals in a , file', ',', ['1', '2.5', '0.125']],
    ['a | file of whole numbers', '|', ['1', '125']],
    ['an English thousands separator is not a decimal comma', ',', ['1,234']],
  ])('none: %s', (_name, delimiter, quantities) => {
    expect(signsOf(delimiter, quantities)).toBeUndefined();
  });

  it('adds up the date-time cells written without seconds', () => {
    const signs = createInputSigns(columns, ',');
    signs.note([], 2);
    signs.note([], 0);
    signs.note([], 1);
    expect(signs.noSeconds).toBe(3);
  });
});
