import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRows } from '../../../src/input/read-rows.js';
import { brief, fileWith, readAll, runError } from '../../helpers/input-file.js';
import { tempDir } from '../../helpers/temp-dir.js';

// The record parser (src/input/parse-records.ts), through readRows, its one caller.
describe('readRows: malformed records do not stop the run', () => {
  it('flags a record with too many or too few fields, keeping its cells', async () => {
    const table = await readAll('Id,Quantity\na,1,extra\nb\nc,3\n');
    expect(brief(table.records)).toEqual([
      [2, ['a', '1', 'extra'], 'expected 2 fields as in the header, found 3'],
      [3, ['b'], 'expected 2 fields as in the header, found 1'],
      [4, ['c', '3']],
    ]);
  });

  it.each([
    ['a quote inside an unquoted cell', 'Id,UOM\na,12" pipe\nb"x,2\n', [[2, ['a', '12" pipe']], [3, ['b"x', '2']]]],
    ['a quote inside an unquoted cell before a quoted cell over two lines', 'Id,UOM,Description\nb"x,"a\nc,1,d"\ne,2,f\n', [[2, ['b"x', 'a\nc,1,d']], [4, ['e', '2', 'f']]]],
    ['a quote after a space', 'Id,UOM\na, "b"\n', [[2, ['a', ' "b"']]]],
  ])('reads %s as an ordinary character, as Excel and the pre-scan do', async (_name, content, expected) => {
    const table = await readAll(content);
    expect(brief(table.records).map(([line, cells]) => [line, cells])).toEqual(expected);
  });
});

// The pre-scan (checkStructure) refuses an input with a quoting error before anything is read here;
// readRows alone still meets one in a results file torn by a kill, which --resume reads.
describe('readRows alone on a quote that never closes (a torn results file)', () => {
  it('reports it at its line and reads on', async () => {
    const table = await readAll('Id,Quantity\na,1\n"b,2\nc,3\nd,4\n');
    expect(brief(table.records).map(([line, recordCells]) => [line, recordCells])).toEqual([
      [2, ['a', '1']],
      [3, ['"b', '2']],
      [4, ['c', '3']],
      [5, ['d', '4']],
    ]);
    expect(table.records[1]?.parseError).toContain('unclosed quote');
    expect(table.records.map((record) => record.seq)).toEqual([0, 1, 2, 3]);
  });

  it('turns a quoted field left open at the end of the file into one record', async () => {
    const table = await readAll('Id,Quantity\na,1\nb,"2\n');
    expect(brief(table.records)).toEqual([
      [2, ['a', '1']],
      [3, ['b', '"2'], 'unclosed quote: a field that starts with " has no closing "'],
    ]);
  });

  it('keeps line numbers exact in a CRLF file with multi-line cells and as the last line without a line break', async () => {
    const table = await readAll('Id,Quantity\r\na,"1\r\n"\r\nc,"3\r\nx"\r\nd,"4');
    expect(brief(table.records).map(([line, cells, error]) => [line, cells, error !== undefined])).toEqual([
      [2, ['a', '1\r\n'], false],
      [4, ['c', '3\r\nx'], false],
      [6, ['d', '"4'], true],
    ]);
  });

  it('costs one row early in a long file', async () => {
    const good = Array.from({ length: 20_000 }, (_, i) => `id${i},${i}\n`).join('');
    const table = await readAll(`Id,Quantity\na,1\n"b,2\n${good}`);
    expect(table.records).toHaveLength(20_002);
    expect(table.records[1]).toMatchObject({ line: 3, cells: ['"b', '2'] });
    expect(table.records[1]?.parseError).toContain('unclosed quote');
    expect(table.records.slice(2).every((record) => record.parseError === undefined)).toBe(true);
    expect(table.records.at(-1)).toMatchObject({ line: 20_003, cells: ['id19999', '19999'] });
  });

  it('stops with INPUT_UNREADABLE when the header itself is badly quoted', async () => {
    const error = await runError(readRows(await fileWith('Id,"Quantity\na,1\n')));
    expect(error.code).toBe('INPUT_UNREADABLE');
    expect(error.message).toContain('header row (line 1)');
  });
});

describe('readRows: large files', () => {
  it('streams 200,000 rows, reading the file lazily', async () => {
    const rows = 200_000;
    const path = join(await tempDir('parse-records-'), 'large.csv');
    const out = createWriteStream(path);
    out.write('Id,Quantity,UOM,Description\r\n');
    for (let i = 0; i < rows; i++) {
      const line = `${i.toString(16).padStart(32, '0')},${i}.25,Each,"row ""${i}"" €"\r\n`;
      if (!out.write(line)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');

    const table = await readRows(path);
    let count = 0;
    let bytesAtFirst = 0;
    let lastLine = 0;
    let malformed = 0;
    for await (const record of table.records) {
      if (count === 0) bytesAtFirst = table.bytesRead();
      count++;
      lastLine = record.line;
      if (record.parseError !== undefined || record.cells.length !== 4) malformed++;
    }
    expect(count).toBe(rows);
    expect(malformed).toBe(0);
    expect(lastLine).toBe(rows + 1);
    expect(bytesAtFirst).toBeLessThan(1000);
    expect(table.bytesRead()).toBe(table.totalBytes);
  });
});
