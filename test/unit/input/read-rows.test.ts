import { mkdtemp, rm, chmod } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDelimiterOption, readRows, type InputRecord } from '../../../src/input/read-rows.js';
import type { InputEncoding } from '../../../src/input/encodings.js';
import { RunError } from '../../../src/errors.js';
import { fileWith } from '../../helpers/temp-dir.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'read-rows-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(content: string | Buffer, options?: { delimiter?: string; encoding?: InputEncoding }) {
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

  it('leaves data rows that are not UTF-8 to the pre-scan (checkStructure) and reads the header', async () => {
    const table = await readAll(Buffer.from('Id,Quantity,Description\na,1,caf\xe9\n', 'latin1'));
    expect(table.header).toEqual(['Id', 'Quantity', 'Description']);
    expect(table.encoding).toBe('utf-8');
    expect(table.dataStart).toEqual({ byte: 24, line: 2 });
  });

  it('refuses a header that is not UTF-8, naming its line and suggesting --encoding windows-1252', async () => {
    const error = await runError(readRows(await fileWith(Buffer.from('\nId,Quantit\xe9\na,1\n', 'latin1'))));
    expect(error.code).toBe('INPUT_UNREADABLE');
    expect(error.message).toContain('is not valid UTF-8: line 2 has the byte 0xE9');
    expect(error.message).toContain('the line is: Id,Quantité)');
    expect(error.message).toContain('--encoding windows-1252');
  });

  it.each(['windows-1252', 'latin1'] as const)('with encoding %s decodes every byte as windows-1252, and asks for a BOM on the outputs', async (encoding) => {
    const bytes = Buffer.from('Id,Quantit\xe9,UOM\na,1,\x80 \x93caf\xe9\x94 \x85 \x9f\x81\nb,"x\xe9\ny",\xff\n', 'latin1');
    const table = await readAll(bytes, { encoding });
    expect(table.header).toEqual(['Id', 'Quantité', 'UOM']);
    expect(table.encoding).toBe(encoding);
    expect(table.bom).toBe(true);
    expect(table.utf8Bom).toBe(false);
    expect(brief(table.records)).toEqual([
      [2, ['a', '1', '€ “café” … Ÿ\u0081']],
      [3, ['b', 'xé\ny', 'ÿ']],
    ]);
    expect(table.bytesRead()).toBe(bytes.length);
  });

  it('maps bytes 0x80-0x9F as the WHATWG windows-1252 table does (Node 20\'s TextDecoder reads them as latin1)', async () => {
    const high = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i));
    const table = await readAll(Buffer.concat([Buffer.from('Id,UOM\na,'), high, Buffer.from('\n')]), { encoding: 'windows-1252' });
    expect(table.records[0]?.cells[1]).toBe('€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ');
  });

  it('reads a file with a UTF-8 BOM as UTF-8 even when asked for windows-1252 (a failures file of such a run)', async () => {
    const table = await readAll('\uFEFFId,UOM\na,café €\n', { encoding: 'windows-1252' });
    expect(table.encoding).toBe('utf-8');
    expect(table.utf8Bom).toBe(true);
    expect(table.bom).toBe(true);
    expect(table.records[0]?.cells).toEqual(['a', 'café €']);
  });

  it.each([
    ['little endian with BOM', Buffer.from('\uFEFFId,Quantity\na,1\n', 'utf16le'), 'UTF-16 (little endian)'],
    ['little endian without BOM', Buffer.from('Id,Quantity\na,1\n', 'utf16le'), 'UTF-16 (little endian, without byte order mark)'],
    ['big endian with BOM', Buffer.from('\uFEFFId,Quantity\na,1\n', 'utf16le').swap16(), 'UTF-16 (big endian)'],
    ['big endian without BOM', Buffer.from('Id,Quantity\na,1\n', 'utf16le').swap16(), 'UTF-16 (big endian, without byte order mark)'],
  ])('refuses UTF-16 %s, whatever the encoding asked for', async (_name, bytes, flavour) => {
    for (const encoding of ['utf-8', 'windows-1252'] as const) {
      const error = await runError(readRows(await fileWith(bytes), { encoding }));
      expect(error.code).toBe('INPUT_UNREADABLE');
      expect(error.message).toContain(`is ${flavour}, which is not supported`);
      expect(error.message).toContain('CSV UTF-8');
    }
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

describe('readRows: files that cannot be read', () => {
  it('reports a missing file with its path and the reason', async () => {
    const path = join(dir, 'does-not-exist.csv');
    const error = await runError(readRows(path));
    expect(error.code).toBe('INPUT_UNREADABLE');
    expect(error.message).toContain(path);
    expect(error.message).toContain('no such file');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it.each(['-', ''])('refuses %j saying that standard input is not supported and why', async (path) => {
    const error = await runError(readRows(path));
    expect(error.code).toBe('INPUT_UNREADABLE');
    expect(error.message).toContain('"-" (standard input) is not supported as the input, nor an empty path: give the path of the CSV file');
    expect(error.message).toContain('--resume reads it again');
  });

  it('refuses a device or pipe, which cannot be read twice', async () => {
    const error = await runError(readRows('/dev/null'));
    expect(error.code).toBe('INPUT_UNREADABLE');
    expect(error.message).toContain('/dev/null is not a regular file');
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
