import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDelimiterOption, readRows, type InputRecord } from '../../../src/input/read-rows.js';
import { RunError } from '../../../src/errors.js';

let dir: string;
let fileCount = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'read-rows-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(content: string | Buffer): Promise<string> {
  const path = join(dir, `input-${++fileCount}.csv`);
  await writeFile(path, content);
  return path;
}

async function readAll(content: string | Buffer, options?: { delimiter?: string }) {
  const table = await readRows(await fileWith(content), options);
  const records: InputRecord[] = [];
  for await (const record of table.records) records.push(record);
  return { ...table, records };
}

/** Records as [line, cells, parseError?] for compact expectations. */
function brief(records: InputRecord[]): Array<[number, string[]] | [number, string[], string]> {
  return records.map((record) =>
    record.parseError === undefined ? [record.line, record.cells] : [record.line, record.cells, record.parseError],
  );
}

async function runError(promise: Promise<unknown>): Promise<RunError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RunError) return error;
    throw error;
  }
  throw new Error('expected a RunError');
}

describe('parseDelimiterOption', () => {
  it.each([
    [',', ','],
    [';', ';'],
    ['|', '|'],
    ['tab', '\t'],
    ['TAB', '\t'],
    ['\t', '\t'],
    ['\\t', '\t'],
    ['semicolon', ';'],
  ])('%j -> %j', (value, delimiter) => {
    expect(parseDelimiterOption(value)).toBe(delimiter);
  });

  it.each([':', ' ', ',,', '', 'space'])('refuses %j as BAD_OPTION naming the accepted values', (value) => {
    let error: unknown;
    try {
      parseDelimiterOption(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RunError);
    expect((error as RunError).code).toBe('BAD_OPTION');
    expect((error as RunError).message).toContain('"tab"');
  });
});

describe('readRows: encodings and line breaks', () => {
  it('reads LF files', async () => {
    const table = await readAll('Id,Quantity\na,1\nb,2\n');
    expect(table.header).toEqual(['Id', 'Quantity']);
    expect(table.bom).toBe(false);
    expect(brief(table.records)).toEqual([
      [2, ['a', '1']],
      [3, ['b', '2']],
    ]);
  });

  it('reads CRLF files, with or without a final line break', async () => {
    expect(brief((await readAll('Id,Quantity\r\na,1\r\nb,2\r\n')).records)).toEqual([
      [2, ['a', '1']],
      [3, ['b', '2']],
    ]);
    expect(brief((await readAll('Id,Quantity\r\na,1\r\nb,2')).records)).toEqual([
      [2, ['a', '1']],
      [3, ['b', '2']],
    ]);
  });

  it('reads files mixing CRLF and LF', async () => {
    expect(brief((await readAll('Id,Quantity\r\na,1\nb,2\r\nc,3\n')).records)).toEqual([
      [2, ['a', '1']],
      [3, ['b', '2']],
      [4, ['c', '3']],
    ]);
  });

  it('reads classic Mac files whose lines end with CR alone', async () => {
    expect(brief((await readAll('Id,Quantity\ra,1\rb,2\r')).records)).toEqual([
      [2, ['a', '1']],
      [3, ['b', '2']],
    ]);
  });

  it('strips a UTF-8 BOM and reports it', async () => {
    const table = await readAll('\uFEFFId,Quantity\r\na,1\r\n');
    expect(table.bom).toBe(true);
    expect(table.header).toEqual(['Id', 'Quantity']);
    expect(brief(table.records)).toEqual([[2, ['a', '1']]]);
  });

  it('keeps multi-byte characters whole', async () => {
    const table = await readAll('Id,Quantity,Description\na,1,café €5 日本\n');
    expect(table.records[0]?.cells).toEqual(['a', '1', 'café €5 日本']);
    expect(table.records[0]?.parseError).toBeUndefined();
  });

  it('flags records with bytes that are not UTF-8', async () => {
    const table = await readAll(Buffer.from('Id,Quantity,Description\na,1,caf\xe9\nb,2,ok\n', 'latin1'));
    expect(table.records[0]?.parseError).toContain('not valid UTF-8');
    expect(table.records[1]?.parseError).toBeUndefined();
  });

  it('refuses UTF-16 files with a hint', async () => {
    const error = await runError(readRows(await fileWith(Buffer.from('\uFEFFId,Quantity\n', 'utf16le'))));
    expect(error.code).toBe('INPUT_UNREADABLE');
    expect(error.message).toContain('UTF-16');
  });
});

describe('readRows: delimiters', () => {
  it.each([
    [',', 'Id,Quantity,UOM\na,1,Each\n'],
    [';', 'Id;Quantity;UOM\na;1;Each\n'],
    ['\t', 'Id\tQuantity\tUOM\na\t1\tEach\n'],
    ['|', 'Id|Quantity|UOM\na|1|Each\n'],
  ])('detects %j from the header line', async (delimiter, content) => {
    const table = await readAll(content);
    expect(table.delimiter).toBe(delimiter);
    expect(table.header).toEqual(['Id', 'Quantity', 'UOM']);
    expect(table.records[0]?.cells).toEqual(['a', '1', 'Each']);
  });

  it('counts only delimiters outside quotes', async () => {
    const table = await readAll('"Id;a;b;c";"Quantity,x";UOM\nx;1;Each\n');
    expect(table.delimiter).toBe(';');
    expect(table.header).toEqual(['Id;a;b;c', 'Quantity,x', 'UOM']);
  });

  it('chooses the comma on a tie, and for a single column', async () => {
    expect((await readAll('Id,Quantity;UOM\n')).delimiter).toBe(',');
    expect((await readAll('Id\n')).delimiter).toBe(',');
  });

  it('uses a forced delimiter even when another is more frequent', async () => {
    const table = await readAll('Id;Qty,Quantity;X,Y\na;1,2;3,4\n', { delimiter: ',' });
    expect(table.delimiter).toBe(',');
    expect(table.header).toEqual(['Id;Qty', 'Quantity;X', 'Y']);
  });
});

describe('readRows: cells and line numbers', () => {
  it('trims header cells but keeps data cells exactly as read', async () => {
    const table = await readAll(' Id , Quantity \n a , 1.50 \n');
    expect(table.header).toEqual(['Id', 'Quantity']);
    expect(table.records[0]?.cells).toEqual([' a ', ' 1.50 ']);
  });

  it('unquotes quoted cells and doubled quotes', async () => {
    const table = await readAll('Id,Description\na,"x, ""y"""\n');
    expect(table.records[0]?.cells).toEqual(['a', 'x, "y"']);
  });

  it('numbers a record by its first line when quoted cells span lines', async () => {
    const table = await readAll('Id,Description,Quantity\na,"one\ntwo\nthree",1\nb,"x\r\ny",2\nc,plain,3\n');
    expect(brief(table.records)).toEqual([
      [2, ['a', 'one\ntwo\nthree', '1']],
      [5, ['b', 'x\r\ny', '2']],
      [7, ['c', 'plain', '3']],
    ]);
  });

  it('does not count a lone CR inside a cell as a line', async () => {
    const table = await readAll('Id,Description\na,"x\ry"\nb,z\n');
    expect(brief(table.records)).toEqual([
      [2, ['a', 'x\ry']],
      [3, ['b', 'z']],
    ]);
  });

  it('skips blank lines and rows of empty cells, keeping line numbers exact', async () => {
    const table = await readAll('\n\nId,Quantity\n\na,1\n   \n,\n , \r\n\nb,2\n\n');
    expect(brief(table.records)).toEqual([
      [5, ['a', '1']],
      [10, ['b', '2']],
    ]);
    expect(table.records.map((record) => record.seq)).toEqual([0, 1]);
  });

  it('reports the bytes read, up to the file size', async () => {
    const content = 'Id,Quantity\na,1\nb,2\n';
    const table = await readRows(await fileWith(content));
    expect(table.totalBytes).toBe(Buffer.byteLength(content));
    const seen: number[] = [];
    for await (const _record of table.records) seen.push(table.bytesRead());
    expect(seen).toEqual([16, 20]);
  });
});

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
    ['an unclosed quote', 'Id,Quantity\na,1\n"b,2\nc,3\nd,4\n', ['"b', '2'], 'unclosed quote'],
    ['text after a closing quote', 'Id,Quantity\na,1\n"b"x,2\nc,3\nd,4\n', ['"b"x', '2'], 'closing quote is followed by "x"'],
    ['a quote inside an unquoted field', 'Id,Quantity\na,1\nb"x,2\nc,3\nd,4\n', ['b"x', '2'], 'quote inside an unquoted field'],
  ])('reports %s at its line and reads on', async (_name, content, cells, reason) => {
    const table = await readAll(content);
    expect(brief(table.records).map(([line, recordCells]) => [line, recordCells])).toEqual([
      [2, ['a', '1']],
      [3, cells],
      [4, ['c', '3']],
      [5, ['d', '4']],
    ]);
    expect(table.records[1]?.parseError).toContain(reason);
    expect(table.records.map((record) => record.seq)).toEqual([0, 1, 2, 3]);
  });

  it('keeps line numbers exact after a bad record in a CRLF file with multi-line cells', async () => {
    const table = await readAll('Id,Quantity\r\na,"1\r\n"\r\n"b,2\r\nc,"3\r\nx"\r\nd,4\r\n');
    expect(brief(table.records).map(([line, cells]) => [line, cells])).toEqual([
      [2, ['a', '1\r\n']],
      [4, ['"b', '2']],
      [5, ['c', '3\r\nx']],
      [7, ['d', '4']],
    ]);
  });

  it('turns a quoted field left open at the end of the file into one record', async () => {
    const table = await readAll('Id,Quantity\na,1\nb,"2\n');
    expect(brief(table.records)).toEqual([
      [2, ['a', '1']],
      [3, ['b', '"2'], 'unclosed quote: a field that starts with " has no closing "'],
    ]);
  });

  it('handles a bad record right after the header and as the last line without a line break', async () => {
    const table = await readAll('Id,Quantity\n"a"b,1\nc,2\nd,"4');
    expect(brief(table.records).map(([line, cells, error]) => [line, cells, error !== undefined])).toEqual([
      [2, ['"a"b', '1'], true],
      [3, ['c', '2'], false],
      [4, ['d', '"4'], true],
    ]);
  });

  it('costs one row for an unclosed quote early in a long file', async () => {
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

describe('readRows: files that cannot be read', () => {
  it('reports a missing file with its path and the reason', async () => {
    const path = join(dir, 'does-not-exist.csv');
    const error = await runError(readRows(path));
    expect(error.code).toBe('INPUT_UNREADABLE');
    expect(error.message).toContain(path);
    expect(error.message).toContain('no such file');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('reports a directory', async () => {
    const error = await runError(readRows(dir));
    expect(error.code).toBe('INPUT_UNREADABLE');
    expect(error.message).toContain('directory');
  });

  it.runIf(process.getuid?.() !== 0)('reports a file without read permission', async () => {
    const path = await fileWith('Id,Quantity\n');
    await chmod(path, 0o000);
    const error = await runError(readRows(path));
    expect(error.code).toBe('INPUT_UNREADABLE');
    expect(error.message).toContain('permission denied');
  });

  it.each([
    ['an empty file', ''],
    ['a BOM alone', '\uFEFF'],
    ['blank lines only', '\n\r\n  \n'],
  ])('refuses %s with EMPTY_INPUT', async (_name, content) => {
    const error = await runError(readRows(await fileWith(content)));
    expect(error.code).toBe('EMPTY_INPUT');
    expect(error.message).toContain('header');
  });

  it('accepts a header without data rows', async () => {
    const table = await readAll('Id,Quantity\n');
    expect(table.header).toEqual(['Id', 'Quantity']);
    expect(table.records).toEqual([]);
  });
});

describe('readRows: large files', () => {
  it('streams 200,000 rows, reading the file lazily', async () => {
    const rows = 200_000;
    const path = join(dir, 'large.csv');
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
