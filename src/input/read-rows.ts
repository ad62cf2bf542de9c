import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { CsvError, parse } from 'csv-parse';
import { RunError } from '../errors.js';
import {
  decodeBytes,
  detectUtf16,
  firstInvalidUtf8,
  notUtf8Error,
  utf16Error,
  windows1252FromLatin1,
  type InputEncoding,
} from './encodings.js';
import { nearFileName } from './near-file.js';

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
/** How much of a malformed record's first line is kept for the results. */
const MAX_BAD_LINE_BYTES = 64 * 1024;

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
    encoding,
    utf8Bom,
    bom: utf8Bom || encoding !== 'utf-8',
    dataStart: { byte: header.endByte, line: header.nextLine },
    records: records(),
    bytesRead: () => consumed,
    totalBytes: size,
  };
}

interface Position {
  /** Byte offset in the file. */
  byte: number;
  /** Physical line number at that offset. */
  line: number;
}

type Parsed =
  | { kind: 'record'; cells: string[]; line: number; endByte: number }
  | { kind: 'error'; error: CsvError; line: number; startByte: number };

interface ParseSettings {
  delimiter: string;
  /** The line break ending records: `\n` (LF and CRLF files) or `\r` (classic Mac files). */
  lineBreak: '\n' | '\r';
  encoding: InputEncoding;
}

/**
 * Parses the file from a record boundary. Yields records with their first line and end offset; on a
 * parse error yields it once, with where the failed record started, and stops.
 */
async function* parseFrom(path: string, from: Position, settings: ParseSettings): AsyncGenerator<Parsed> {
  const source = createReadStream(path, { start: from.byte });
  let failure: { error: CsvError; afterRecords: number } | undefined;
  const parser = parse({
    delimiter: settings.delimiter,
    // Explicit, because auto-discovery locks onto the first line break and mixed files are common.
    record_delimiter: settings.lineBreak === '\n' ? ['\r\n', '\n'] : ['\r'],
    relax_column_count: true,
    // A quote inside an unquoted cell is an ordinary character, as in Excel (`12" pipe`); the pre-scan
    // (checkStructure) counts quotes the same way, so both agree on where every record ends.
    relax_quotes: true,
    // windows-1252 is a single-byte encoding: the parser splits the bytes as latin1 (byte offsets stay
    // exact) and the cells are mapped to windows-1252 below.
    encoding: settings.encoding === 'utf-8' ? 'utf8' : 'latin1',
    info: true,
    // A stream that errors drops the records it has buffered, so errors are taken as data here, with
    // the number of records parsed before them; the parser's state after a quoting error is not
    // trusted, so nothing more is fed to it.
    skip_records_with_error: true,
    on_skip: (error) => {
      if (failure === undefined && error !== undefined) {
        failure = { error, afterRecords: parser.info.records };
        source.unpipe(parser);
        source.destroy();
        if (!parser.writableEnded) parser.end();
      }
      return undefined;
    },
  });
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let line = from.line;
  let byte = from.byte;
  let yielded = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
      if (failure !== undefined && yielded >= failure.afterRecords) break;
      const endByte = from.byte + info.bytes;
      const cells = settings.encoding === 'utf-8' ? record : record.map(windows1252FromLatin1);
      yield { kind: 'record', cells, line, endByte };
      yielded++;
      // Line breaks inside a record can only be inside quoted cells, which keep them verbatim; the
      // parser's own line count would also count a lone CR inside a cell.
      line += 1 + record.reduce((sum, cell) => sum + count(cell, settings.lineBreak), 0);
      byte = endByte;
    }
  } catch (error) {
    throw new RunError('INPUT_UNREADABLE', `Cannot read the input file ${path}: ${reasonOf(error)}`, { cause: error });
  } finally {
    source.destroy();
    parser.destroy();
  }
  if (failure !== undefined) yield { kind: 'error', error: failure.error, line, startByte: byte };
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
function headerLine(head: Buffer): { bytes: Buffer; lineBreak: '\n' | '\r' } | undefined {
  let start = 0;
  let quoted = false;
  let lineBreak: '\n' | '\r' | undefined;
  for (let i = 0; i <= head.length; i++) {
    const byte = head[i];
    if (byte === QUOTE) quoted = !quoted;
    const atEnd = i === head.length;
    if (!atEnd && (quoted || (byte !== LF && byte !== CR))) continue;
    // A CR not followed by LF ends lines only in classic Mac files, where it is the sole line break.
    if (!atEnd && lineBreak === undefined) lineBreak = byte === CR && head[i + 1] !== LF ? '\r' : '\n';
    const bytes = head.subarray(start, i);
    if (bytes.toString('utf8').trim() !== '') return { bytes, lineBreak: lineBreak ?? '\n' };
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

/** The physical line starting at `start` (without its line break) and the offset after it. */
async function readLine(path: string, start: number, lineBreak: '\n' | '\r', encoding: InputEncoding): Promise<{ text: string; nextByte: number }> {
  const breakByte = lineBreak === '\n' ? LF : CR;
  const kept: Buffer[] = [];
  let keptBytes = 0;
  let offset = start;
  try {
    for await (const chunk of createReadStream(path, { start }) as AsyncIterable<Buffer>) {
      const end = chunk.indexOf(breakByte);
      const part = end === -1 ? chunk : chunk.subarray(0, end);
      if (keptBytes < MAX_BAD_LINE_BYTES) {
        kept.push(part.subarray(0, MAX_BAD_LINE_BYTES - keptBytes));
        keptBytes += part.length;
      }
      if (end !== -1) {
        offset += end + 1;
        return { text: lineText(kept, encoding), nextByte: offset };
      }
      offset += chunk.length;
    }
  } catch (error) {
    throw new RunError('INPUT_UNREADABLE', `Cannot read the input file ${path}: ${reasonOf(error)}`, { cause: error });
  }
  return { text: lineText(kept, encoding), nextByte: offset };
}

function lineText(parts: Buffer[], encoding: InputEncoding): string {
  const text = decodeBytes(Buffer.concat(parts), encoding);
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

function fieldCountError(cells: string[], header: string[]): string | undefined {
  if (cells.length === header.length) return undefined;
  return `expected ${header.length} fields as in the header, found ${cells.length}`;
}

/** The parser's reason in the user's words; its own messages count lines from where it started. */
function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'unclosed quote: a field that starts with " has no closing "';
    case 'CSV_MAX_RECORD_SIZE':
      return 'record too long, probably because of an unclosed quote';
    case 'CSV_INVALID_CLOSING_QUOTE': {
      const got = /got ("[^"]*"|\S+)/.exec(error.message)?.[1] ?? 'a character';
      return `bad quoting: a closing quote is followed by ${got} instead of the delimiter or the end of the line (a quote inside a quoted field must be doubled: "")`;
    }
    default:
      return error.message.replace(/ (at|on) line \d+/, '');
  }
}

function count(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) n++;
  return n;
}

function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reasons: Record<string, string> = {
      ENOENT: 'no such file',
      EACCES: 'permission denied',
      EISDIR: 'it is a directory',
    };
    return (code !== undefined ? reasons[code] : undefined) ?? error.message;
  }
  return String(error);
}

