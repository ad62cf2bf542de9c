import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { csvCells, csvLine } from '../../../src/output/csv-line.js';
import { seededRandom, testSeed } from '../../helpers/generate.js';

describe('csvLine', () => {
  it.each([
    [['a', 'b'], ',', 'a,b\n'],
    [['', 'x', ''], ',', ',x,\n'],
    [['1,5', 'say "hi"'], ',', '"1,5","say ""hi"""\n'],
    [['line\nbreak', 'cr\rhere'], ',', '"line\nbreak","cr\rhere"\n'],
    [['1,5', 'a;b'], ';', '1,5;"a;b"\n'],
    [['tab\there', 'x'], '\t', '"tab\there"\tx\n'],
    [['12" pipe'], ',', '"12"" pipe"\n'],
  ])('%j with %j -> %j', (cells, delimiter, expected) => {
    expect(csvLine(cells, delimiter)).toBe(expected);
  });

  it('writes a missing cell as empty', () => {
    expect(csvLine(['a', undefined, 'c'], ',')).toBe('a,,c\n');
  });

  it('writes what csv-stringify writes, and what csv-parse reads back, for random cells', () => {
    const random = seededRandom(testSeed('CSV_LINE_SEED', 20261129));
    const alphabet = ['a', 'Z', '0', ' ', ',', ';', '|', '\t', '"', '\n', '\r', '=', 'é', '€', "'"];
    for (let trial = 0; trial < 500; trial++) {
      const delimiter = [',', ';', '|', '\t'][Math.floor(random() * 4)] as string;
      const cells = Array.from({ length: 1 + Math.floor(random() * 6) }, () =>
        Array.from({ length: Math.floor(random() * 8) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''),
      );
      const line = csvLine(cells, delimiter);
      expect(line).toBe(stringify([cells], { delimiter }));
      // A record of one empty cell is an empty line, which a reader skips.
      if (line !== '\n') expect(parse(line, { delimiter, relax_column_count: true })).toEqual([cells]);
    }
  });
});

describe('csvCells', () => {
  it('writes two arrays of cells as csvLine writes them joined, without the line end', () => {
    const random = seededRandom(testSeed('CSV_LINE_SEED', 20261204));
    const alphabet = ['a', '0', ' ', ',', ';', '"', '\n', 'é'];
    const cells = (): string[] =>
      Array.from({ length: Math.floor(random() * 5) }, () => Array.from({ length: Math.floor(random() * 5) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    for (let trial = 0; trial < 300; trial++) {
      const delimiter = [',', ';'][Math.floor(random() * 2)] as string;
      const [first, rest] = [cells(), cells()];
      expect(`${csvCells(first, delimiter, rest)}\n`).toBe(csvLine([...first, ...rest], delimiter));
    }
    expect(csvCells(['a', undefined], ',', [undefined, 'b,c'])).toBe('a,,,"b,c"');
  });
});
