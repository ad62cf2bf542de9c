import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { checkStructure, createQuoteScanner, createUtf8Checker, type QuoteProblem } from '../../../src/input/check-structure.js';
import { readRows } from '../../../src/input/read-rows.js';
import type { InputEncoding } from '../../../src/input/encodings.js';
import { RunError } from '../../../src/errors.js';
import { seededRandom } from '../../helpers/generate.js';
import { fileWith } from '../../helpers/temp-dir.js';

/** Scans `text` fed in chunks of `size` bytes (every split point matters: chunks end anywhere). */
function scan(text: string | Buffer, options: { lineBreak?: '\n' | '\r'; delimiter?: string; size?: number } = {}): QuoteProblem | undefined {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const scanner = createQuoteScanner({ delimiter: options.delimiter ?? ',', lineBreak: options.lineBreak ?? '\n', start: 0 });
  const size = options.size ?? bytes.length;
  for (let i = 0; i < bytes.length; i += size) {
    const problem = scanner.feed(bytes.subarray(i, i + size));
    if (problem) return problem;
  }
  return scanner.end();
}

/** The same scan in every chunk size from 1 byte to the whole text: the answer must not depend on it. */
function scanAllSplits(text: string, options: { lineBreak?: '\n' | '\r'; delimiter?: string } = {}): QuoteProblem | undefined {
  const whole = scan(text, options);
  for (let size = 1; size < Buffer.byteLength(text); size++) expect(scan(text, { ...options, size })).toEqual(whole);
  return whole;
}

describe('createQuoteScanner: well-formed quoting', () => {
  it.each([
    ['no quotes', 'a,1\nb,2\n'],
    ['quoted cells with delimiters, doubled quotes and line breaks', 'a,"x, ""y""\nz",1\r\n"b","",2\r\n'],
    ['an empty quoted cell at the end without a line break', 'a,""'],
    ['a quoted cell closed at the end of the file', 'a,"x\ny"'],
    ['a quote inside an unquoted cell, as Excel reads it', 'a,12" pipe\nb"x,"c\nd"\n'],
    ['a quote after a space', 'a, "b" ,c\n'],
    ['a quote after a lone CR in a CRLF file (inside the cell)', 'a,x\r"y\n'],
    ['only quotes, doubled', '""""\n'],
  ])('%s', (_name, text) => {
    expect(scanAllSplits(text)).toBeUndefined();
  });

  it('uses the delimiter it is given', () => {
    expect(scanAllSplits('a;"x;y";1\n', { delimiter: ';' })).toBeUndefined();
    expect(scanAllSplits('a\t"x\ty"\t1\n', { delimiter: '\t' })).toBeUndefined();
    expect(scanAllSplits('a;"x",1\n', { delimiter: ';' })).toEqual({ kind: 'text-after-closing-quote', openedAt: 2, closedAt: 4 });
    expect(scanAllSplits('a,"x;y"\n', { delimiter: ';' })).toBeUndefined();
  });

  it('in a classic Mac file a CR ends the record and an LF is text', () => {
    expect(scanAllSplits('a,"x\ry"\rb,"z"\r', { lineBreak: '\r' })).toBeUndefined();
    expect(scanAllSplits('a,"x"\nb\r', { lineBreak: '\r' })).toEqual({ kind: 'text-after-closing-quote', openedAt: 2, closedAt: 4 });
    expect(scanAllSplits('a\n"x\r', { lineBreak: '\r' })).toBeUndefined();
  });
});

describe('createQuoteScanner: quoting errors, at the byte where the quote opened', () => {
  it.each<[string, string, QuoteProblem]>([
    ['a quote that never closes', 'a,1\n"b,2\nc,3\n', { kind: 'unclosed', openedAt: 4 }],
    ['a cell opened on one line whose text runs over the next lines', 'ID1,"5,Each\nID2,999,Each\nID3,7,Each\n', { kind: 'unclosed', openedAt: 4 }],
    ['text after a closing quote', 'a,1\n"b"x,2\n', { kind: 'text-after-closing-quote', openedAt: 4, closedAt: 6 }],
    ['a space after a closing quote', 'a,"b" ,2\n', { kind: 'text-after-closing-quote', openedAt: 2, closedAt: 4 }],
    ['a quote meant as inches inside a quoted cell', 'a,"12" pipe, big",1\n', { kind: 'text-after-closing-quote', openedAt: 2, closedAt: 5 }],
    ['a lone CR after a closing quote in a CRLF file', 'a,"b"\rc\n', { kind: 'text-after-closing-quote', openedAt: 2, closedAt: 4 }],
    ['a lone CR after the last closing quote', 'a,"b"\r', { kind: 'text-after-closing-quote', openedAt: 2, closedAt: 4 }],
    ['an odd number of quotes closing a cell', 'a,"b"""x\n', { kind: 'text-after-closing-quote', openedAt: 2, closedAt: 6 }],
  ])('%s', (_name, text, problem) => {
    expect(scanAllSplits(text)).toEqual(problem);
  });

  it('counts offsets from the start it is given', () => {
    const scanner = createQuoteScanner({ delimiter: ',', lineBreak: '\n', start: 100 });
    expect(scanner.feed(Buffer.from('a,"b'))).toBeUndefined();
    expect(scanner.end()).toEqual({ kind: 'unclosed', openedAt: 102 });
  });
});

/** A reference reading of a CSV text as Excel does: RFC 4180, and a quote inside an unquoted cell is a character. */
function referenceRecords(text: string): string[][] | undefined {
  const records: string[][] = [];
  let cells: string[] = [];
  let cell = '';
  let i = 0;
  let atCellStart = true;
  while (i < text.length) {
    const char = text[i];
    if (atCellStart && char === '"') {
      let closed = false;
      for (i++; i < text.length; i++) {
        if (text[i] !== '"') cell += text[i];
        else if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          closed = true;
          i++;
          break;
        }
      }
      if (!closed) return undefined;
      if (i < text.length && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) return undefined;
      atCellStart = false;
      continue;
    }
    if (char === ',') {
      cells.push(cell);
      cell = '';
      atCellStart = true;
    } else if (char === '\n' || (char === '\r' && text[i + 1] === '\n')) {
      if (char === '\r') i++;
      cells.push(cell);
      records.push(cells);
      cells = [];
      cell = '';
      atCellStart = true;
    } else {
      cell += char;
      atCellStart = false;
    }
    i++;
  }
  if (!atCellStart || cells.length > 0 || cell !== '') {
    cells.push(cell);
    records.push(cells);
  }
  return records;
}

describe('createQuoteScanner agrees with the reader on where records end', () => {
  it('on 20,000 random small files of quotes, delimiters and line breaks (seed 7)', () => {
    const random = seededRandom(7);
    const alphabet = ['a', 'b', ',', '"', '"', '\n', '\r\n', '\r', ' '];
    for (let n = 0; n < 20_000; n++) {
      const length = 1 + Math.floor(random() * 12);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      const accepted = scan(text) === undefined;
      const reference = referenceRecords(text);
      expect([text, accepted]).toEqual([text, reference !== undefined]);
      if (!accepted) continue;
      // What the reader (csv-parse with these options) makes of a file the scanner accepts.
      const read = parse(text, { relax_column_count: true, relax_quotes: true, record_delimiter: ['\r\n', '\n'] }) as string[][];
      // Blank lines are skipped by the reader, whoever reads them.
      const notBlank = (cells: string[]): boolean => !(cells.length === 1 && cells[0] === '');
      expect([text, read.filter(notBlank)]).toEqual([text, reference?.filter(notBlank)]);
    }
  });
});

describe('createUtf8Checker', () => {
  const text = Buffer.from('Id,UOM\na,café €5 日本 😀\n');

  it('accepts UTF-8 split anywhere, even inside a character', () => {
    for (let size = 1; size <= text.length; size++) {
      const checker = createUtf8Checker(0);
      for (let i = 0; i < text.length; i += size) expect(checker.feed(text.subarray(i, i + size))).toBe(-1);
      expect(checker.end()).toBe(-1);
    }
  });

  it.each([
    ['a windows-1252 é', Buffer.from('a,caf\xe9,1\n', 'latin1'), 5],
    ['an overlong encoding', Buffer.from([0x61, 0xc0, 0x80]), 1],
    ['a UTF-16 surrogate', Buffer.from([0x61, 0x62, 0xed, 0xa0, 0x80]), 2],
    ['a byte that is never UTF-8', Buffer.from([0x61, 0xff]), 1],
  ])('gives the offset of %s, however it is split', (_name, bytes, offset) => {
    for (let size = 1; size <= bytes.length; size++) {
      const checker = createUtf8Checker(1000);
      let found = -1;
      for (let i = 0; i < bytes.length && found === -1; i += size) found = checker.feed(bytes.subarray(i, i + size));
      if (found === -1) found = checker.end();
      expect(found).toBe(1000 + offset);
    }
  });

  it('reports a character cut off by the end of the file at the end', () => {
    const checker = createUtf8Checker(0);
    expect(checker.feed(Buffer.from([0x61, 0xe6, 0x97]))).toBe(-1);
    expect(checker.end()).toBe(1);
  });
});

async function checkError(content: string | Buffer, encoding?: InputEncoding): Promise<RunError> {
  const table = await readRows(await fileWith(content), { encoding });
  try {
    await checkStructure(table);
  } catch (error) {
    if (error instanceof RunError) return error;
    throw error;
  }
  throw new Error('expected a RunError');
}

describe('checkStructure on a file', () => {
  it('passes a clean file with quoted cells over several lines', async () => {
    const table = await readRows(await fileWith('Id,UOM,Description\r\na,Each,"one\r\ntwo"\r\nb,"x ""y""",\r\n'));
    await expect(checkStructure(table)).resolves.toEqual({ records: 2 });
  });

  it('names the line where a quote that never closes opened, after multi-line cells and blank lines', async () => {
    const error = await checkError('Id,Quantity,UOM,Description\n\nID0,1,Each,"a\nb"\nID1,"5,Each,x\nID2,999,Each,y\nID3,7,Each,z\n');
    expect(error.code).toBe('INPUT_UNREADABLE');
    expect(error.message).toContain('quoting error: the quote that opens a cell on line 5 (line 5 reads: ID1,"5,Each,x) never closes');
    expect(error.message).toContain('nothing was sent');
    expect(error.message).toContain('written twice ("")');
  });

  it('names the opening and the closing line of a cell followed by text', async () => {
    const error = await checkError('Id,UOM\nID1,Each\nID2,"a\nb\nc"d\nID3,Each\n');
    expect(error.message).toContain('the quoted cell that opens on line 3 (line 3 reads: ID2,"a) closes on line 5 and is followed by "d" instead of the delimiter');
  });

  it('says when the text follows on the same line', async () => {
    const error = await checkError('Id,UOM\r\nID1,"12" pipe\r\n');
    expect(error.message).toContain('opens on line 2 (line 2 reads: ID1,"12" pipe) closes on the same line and is followed by " pipe"');
  });

  it('decodes the excerpt in the file\'s encoding', async () => {
    const error = await checkError(Buffer.from('Id,UOM\nID1,"caf\xe9\n', 'latin1'), 'windows-1252');
    expect(error.message).toContain('on line 2 (line 2 reads: ID1,"café) never closes');
  });

  it('names the first line with bytes that are not UTF-8 and shows it as windows-1252', async () => {
    const error = await checkError(Buffer.from('Id,UOM\nID1,Each\nID2,"x\ny"\nID3,\x93caf\xe9\x94\nID4,\xe9\n', 'latin1'));
    expect(error.code).toBe('INPUT_UNREADABLE');
    expect(error.message).toContain('is not valid UTF-8: line 5 has the byte 0x93, which is not UTF-8 (read as windows-1252, the line is: ID3,“café”)');
    expect(error.message).toContain('run again with --encoding windows-1252');
    expect(error.message).toContain('Nothing was sent');
  });

  it('finds a bad byte far into a large file, past chunk boundaries', async () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => `ID${i},"Each ${i} — ü"\n`).join('');
    const error = await checkError(Buffer.concat([Buffer.from(`Id,UOM\n${rows}`), Buffer.from('IDX,\xfc\n', 'latin1')]));
    expect(error.message).toContain('line 60002 has the byte 0xFC');
  });

  it.each(['windows-1252', 'latin1'] as const)('passes a %s file, and an ASCII file read as one', async (encoding) => {
    for (const content of [Buffer.from('Id,UOM\nID1,caf\xe9\nID2,Gen\xe8ve \x80\n', 'latin1'), Buffer.from('Id,UOM\nID1,Each\n')]) {
      const table = await readRows(await fileWith(content), { encoding });
      await expect(checkStructure(table)).resolves.toHaveProperty('records');
    }
  });

  it('refuses a UTF-8 file with accents read as windows-1252, showing the line both ways', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => `ID${i},"Each ${i}"\n`).join('');
    const error = await checkError(`Id,UOM\n${rows}ID,Genève\nID,ok\n`, 'windows-1252');
    expect(error.code).toBe('INPUT_UNREADABLE');
    expect(error.message).toContain(
      'is read as windows-1252 (--encoding windows-1252), but it is UTF-8: line 30002 reads "ID,Genève" in UTF-8 and would be sent as "ID,GenÃ¨ve"',
    );
    expect(error.message).toContain('Run again without --encoding');
  });

  it('tells a file with a UTF-8 BOM and a foreign line to fix the line, since --encoding would not apply', async () => {
    const error = await checkError(Buffer.concat([Buffer.from('\uFEFFId,UOM\nID1,é\n'), Buffer.from('ID2,\xe9\n', 'latin1')]), 'windows-1252');
    expect(error.message).toContain('line 3 has the byte 0xE9');
    expect(error.message).toContain('starts with a UTF-8 byte order mark');
    expect(error.message).not.toContain('run again with --encoding');
  });

  // The progress bar's total: the pre-scan counts the records exactly as the reader yields them.
  it.each([
    ['LF, a last line without a break', 'Id,Quantity\nA,1\nB,2\nC,3'],
    ['CRLF, blank lines and lines of delimiters only', 'Id,Quantity\r\nA,1\r\n\r\n,\r\n  , \r\nB,2\r\n\r\n'],
    ['line breaks inside quoted cells', 'Id,Quantity,Description\nA,1,"one\ntwo\n\nthree"\nB,2,"x ""y"""\n"C",3,\n'],
    ['classic Mac line breaks', 'Id,Quantity\rA,1\rB,"2\r"\r\r'],
    ['a quote inside an unquoted cell, empty quoted cells', 'Id,UOM\nA,12" pipe\n"",""\nB,""\n'],
    ['a semicolon file', 'Id;Quantity\nA;1\n;\nB;2\n'],
  ])('counts the records as the reader does: %s', async (_name, content) => {
    const path = await fileWith(content);
    let read = 0;
    for await (const record of (await readRows(path)).records) if (record) read++;
    expect(read).toBeGreaterThan(0);
    expect((await checkStructure(await readRows(path))).records).toBe(read);
  });

  it('counts the records of a file larger than one read chunk, with quotes across chunk ends', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `ID${i},"Each\n${i}",${i % 7 === 0 ? '' : 'x'}\n${i % 1000 === 0 ? '\n,,\n' : ''}`).join('');
    const path = await fileWith(`Id,UOM,Note\n${rows}`);
    expect((await checkStructure(await readRows(path))).records).toBe(40_000);
  });
});
