import { open, stat } from 'node:fs/promises';
import { RunError } from '../errors.js';
import { detectUtf16, firstInvalidUtf8, notUtf8Error, utf16Error, type InputEncoding } from './encodings.js';
import { nearFileName } from './near-file.js';
import { count, describeCsvError, parseFrom, readLine, reasonOf, type ParseSettings, type Position } from './parse-records.js';

/** One data record of the input file, as read. */
export interface InputRecord {
  /** 0-based index among the data records (blank lines are not records). */
  seq: number;
  /** Physical line where the record starts; the header is line 1. */
  line: number;
  /** Cells exactly as read, not trimmed, so that the results echo the input. */
  cells: string[];
  /**
   * Set when the record is malformed (wrong number of fields; bad quoting, which checkStructure refuses
   * in an input before anything is sent, but a torn results file read by `--resume` may have): why, in
   * the user's words. For bad quoting, `cells` is the record's first line split at the delimiter, since
   * the parser could not say where its cells are.
   */
  parseError?: string;
}

/** The opened input: its header and a stream of its records. */
export interface InputTable {
  /** The input file's path. */
  path: string;
  /** Header cells, trimmed. */
  header: string[];
  /** The delimiter in use: the forced one, or the one detected from the header line. */
  delimiter: string;
  /** The line break ending records: `\n` (LF and CRLF files) or `\r` (classic Mac files). */
  lineBreak: '\n' | '\r';
  /** How the outputs end their lines, like the input's header line: `\r\n` for a CRLF file, else `\n`. */
  lineEnd: '\n' | '\r\n';
  /**
   * The encoding the cells are decoded from: the one asked for, except that a file starting with a
   * UTF-8 byte order mark is UTF-8 (such as the failures file of a run of a windows-1252 input).
   */
  encoding: InputEncoding;
  /** True when the input started with a UTF-8 byte order mark. */
  utf8Bom: boolean;
  /**
   * True when the outputs should start with a UTF-8 byte order mark: the input had one, or was decoded
   * from another encoding (so that Excel opens the UTF-8 outputs with the same characters).
   */
  bom: boolean;
  /** Where the records after the header start (a record boundary, where no quote is open), for the pre-scan (checkStructure). */
  dataStart: { byte: number; line: number };
  /** The data records in file order; iterate once. Read lazily, so memory does not grow with the file. */
  records: AsyncIterable<InputRecord>;
  /** Bytes of the input consumed so far, for progress and ETA. */
  bytesRead(): number;
  /** Size of the input file in bytes, when known. */
  totalBytes: number | undefined;
}

const CANDIDATE_DELIMITERS = [',', ';', '\t', '|'] as const;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** The header line is looked for in this much of the file; a longer header is not a usage file. */
const HEAD_BYTES = 1024 * 1024;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/**
 * Turns a `--delimiter` value into the delimiter character: `,` `;` `|`, and tab written as `tab`, as
 * a literal tab, or as `\t` (what a shell passes for `'\t'`).
 */
export function parseDelimiterOption(value: string): string {
  const named: Record<string, string> = {
    ',': ',',
    comma: ',',
    ';': ';',
    semicolon: ';',
    '|': '|',
    pipe: '|',
    '\t': '\t',
    tab: '\t',
    '\\t': '\t',
  };
  const delimiter = named[value.toLowerCase()];
  if (delimiter === undefined) {
    throw new RunError(
      'BAD_OPTION',
      `--delimiter ${JSON.stringify(value)} is not supported: use ",", ";", "|" or "tab".`,
    );
  }
  return delimiter;
}

/**
 * Opens a CSV input: reads the header now, so a missing file, an empty file, a bad header or a file in
 * an unsupported encoding fails before anything is sent, and returns the records as a lazy stream with
 * backpressure. The quoting and encoding of the records after the header are checked by
 * checkStructure, which the run calls before the first request.
 */
export async function readRows(path: string, options: { delimiter?: string; encoding?: InputEncoding } = {}): Promise<InputTable> {
  const { head, size } = await readHead(path);
  const utf16 = detectUtf16(head);
  if (utf16 !== undefined) throw utf16Error(path, utf16);
  const utf8Bom = head.subarray(0, 3).equals(UTF8_BOM);
  const encoding: InputEncoding = utf8Bom ? 'utf-8' : (options.encoding ?? 'utf-8');
  const bodyStart = utf8Bom ? UTF8_BOM.length : 0;
  const firstLine = headerLine(head.subarray(bodyStart));
  if (firstLine === undefined) {
    throw new RunError(
      'EMPTY_INPUT',
      `The input file ${path} is empty: it needs a header row such as "Id,Quantity" and one row per usage record.`,
    );
  }
  const lineBreak = firstLine.lineBreak;
  const delimiter = options.delimiter ?? detectDelimiter(firstLine.bytes);

  const header = await readHeader(path, { delimiter, lineBreak, encoding, start: bodyStart });
  if (encoding === 'utf-8') checkHeaderUtf8(path, head, bodyStart, header.endByte, { lineBreak, utf8Bom });
  let consumed = header.endByte;

  async function* records(): AsyncGenerator<InputRecord> {
    let seq = 0;
    let next: Position | undefined = { byte: header.endByte, line: header.nextLine };
    while (next !== undefined) {
      const from: Position = next;
      next = undefined;
      for await (const item of parseFrom(path, from, { delimiter, lineBreak, encoding })) {
        if (item.kind === 'record') {
          consumed = item.endByte;
          if (item.cells.every((cell) => cell.trim() === '')) continue;
          const parseError = fieldCountError(item.cells, header.cells);
          yield { seq: seq++, line: item.line, cells: item.cells, ...(parseError ? { parseError } : {}) };
        } else {
          // Only met without the pre-scan, which refuses an input with a quoting error before anything
          // is sent: in a results file torn by a kill, read by --resume. The parser cannot tell where
          // a badly quoted record ends, so the record is reported at its first line and reading starts
          // again on the next one: the torn record costs one row, not the rest of the file.
          const bad = await readLine(path, item.startByte, lineBreak, encoding);
          consumed = bad.nextByte;
          yield { seq: seq++, line: item.line, cells: bad.text.split(delimiter), parseError: describeCsvError(item.error) };
          if (bad.nextByte < size) next = { byte: bad.nextByte, line: item.line + 1 };
        }
      }
    }
  }

  return {
    path,
    header: header.cells.map((cell) => cell.trim()),
    delimiter,
    lineBreak,
    lineEnd: firstLine.crlf ? '\r\n' : '\n',
    encoding,
    utf8Bom,
    bom: utf8Bom || encoding !== 'utf-8',
    dataStart: { byte: header.endByte, line: header.nextLine },
    records: records(),
    bytesRead: () => consumed,
    totalBytes: size,
  };
}

/** Reads the header record: the first record that is not blank. */
async function readHeader(
  path: string,
  settings: ParseSettings & { start: number },
): Promise<{ cells: string[]; endByte: number; nextLine: number }> {
  for await (const item of parseFrom(path, { byte: settings.start, line: 1 }, settings)) {
    if (item.kind === 'error') {
      throw new RunError(
        'INPUT_UNREADABLE',
        `The header row (line ${item.line}) of ${path} is not valid CSV: ${describeCsvError(item.error)}.`,
        { cause: item.error },
      );
    }
    if (item.cells.every((cell) => cell.trim() === '')) continue;
    const lines = 1 + item.cells.reduce((sum, cell) => sum + count(cell, settings.lineBreak), 0);
    // Leaving the loop closes the stream; records are read by a fresh parser from endByte.
    return { cells: item.cells, endByte: item.endByte, nextLine: item.line + lines };
  }
  throw new RunError('EMPTY_INPUT', `The input file ${path} has no header row: it contains only blank lines.`);
}

async function readHead(path: string): Promise<{ head: Buffer; size: number }> {
  // yargs hands a `-` argument over as an empty string.
  if (path === '-' || path === '') {
    throw new RunError(
      'INPUT_UNREADABLE',
      `"-" (standard input) is not supported as the input, nor an empty path: give the path of the CSV file. The input is read more than once ` +
        `(its quoting and encoding are checked before the first request, then its rows are sent), and --resume reads it again ` +
        `to finish an interrupted run, which a pipe cannot give. Save the data to a file first. (A file really named "-": write ./-)`,
    );
  }
  let handle;
  try {
    // Checked before opening: opening a named pipe would wait for a writer.
    const kind = await stat(path);
    if (!kind.isFile() && !kind.isDirectory()) {
      throw new RunError(
        'INPUT_UNREADABLE',
        `The input ${path} is not a regular file (a pipe or a device?): give the path of the CSV file. The input is read more than ` +
          `once (checked before the first request, then sent), and --resume reads it again, which a pipe cannot give.`,
      );
    }
    handle = await open(path, 'r');
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
    let filled = 0;
    while (filled < head.length) {
      const { bytesRead } = await handle.read(head, filled, head.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { head: head.subarray(0, filled), size };
  } catch (error) {
    if (error instanceof RunError) throw error;
    const near = (error as NodeJS.ErrnoException).code === 'ENOENT' ? nearFileName(path) : '';
    throw new RunError('INPUT_UNREADABLE', `Cannot read the input file ${path}: ${reasonOf(error)}${near}`, { cause: error });
  } finally {
    await handle?.close();
  }
}

/** Refuses a header that is not UTF-8 before its cells are matched, naming its line. */
function checkHeaderUtf8(path: string, head: Buffer, start: number, end: number, settings: { lineBreak: '\n' | '\r'; utf8Bom: boolean }): void {
  const bytes = head.subarray(start, Math.min(end, head.length));
  const bad = firstInvalidUtf8(bytes);
  if (bad === -1) return;
  const breakByte = settings.lineBreak === '\n' ? LF : CR;
  const lineStart = bytes.lastIndexOf(breakByte, bad) + 1;
  const lineEnd = bytes.indexOf(breakByte, bad);
  throw notUtf8Error(path, {
    line: 1 + count(bytes.subarray(0, bad).toString('latin1'), settings.lineBreak),
    lineBytes: bytes.subarray(lineStart, lineEnd === -1 ? bytes.length : lineEnd),
    badByte: bytes[bad] ?? 0,
    bom: settings.utf8Bom,
  });
}

/**
 * The first non-blank line of the head (continuing over line breaks inside quotes) and the kind of
 * line break the file uses, or undefined when the head holds only blank lines.
 */
function headerLine(head: Buffer): { bytes: Buffer; lineBreak: '\n' | '\r'; crlf: boolean } | undefined {
  let start = 0;
  let quoted = false;
  let lineBreak: '\n' | '\r' | undefined;
  let crlf = false;
  for (let i = 0; i <= head.length; i++) {
    const byte = head[i];
    if (byte === QUOTE) quoted = !quoted;
    const atEnd = i === head.length;
    if (!atEnd && (quoted || (byte !== LF && byte !== CR))) continue;
    // A CR not followed by LF ends lines only in classic Mac files, where it is the sole line break.
    if (!atEnd && lineBreak === undefined) {
      lineBreak = byte === CR && head[i + 1] !== LF ? '\r' : '\n';
      crlf = byte === CR && head[i + 1] === LF;
    }
    const bytes = head.subarray(start, i);
    if (bytes.toString('utf8').trim() !== '') return { bytes, lineBreak: lineBreak ?? '\n', crlf };
    if (atEnd) return undefined;
    start = i + 1;
  }
  return undefined;
}

/** The candidate found most often outside quotes in the header line; `,` when tied or absent. */
function detectDelimiter(line: Buffer): string {
  const counts = new Map<number, number>();
  let quoted = false;
  for (const byte of line) {
    if (byte === QUOTE) quoted = !quoted;
    else if (!quoted) counts.set(byte, (counts.get(byte) ?? 0) + 1);
  }
  let best: string = ',';
  let bestCount = counts.get(best.charCodeAt(0)) ?? 0;
  for (const candidate of CANDIDATE_DELIMITERS) {
    const found = counts.get(candidate.charCodeAt(0)) ?? 0;
    if (found > bestCount) {
      best = candidate;
      bestCount = found;
    }
  }
  return best;
}

function fieldCountError(cells: string[], header: string[]): string | undefined {
  if (cells.length === header.length) return undefined;
  return `expected ${header.length} fields as in the header, found ${cells.length}`;
}
