import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { RunError } from '../errors.js';
import {
  decodeBytes,
  firstInvalidUtf8,
  incompleteUtf8Tail,
  notUtf8Error,
  utf8ReadAsSingleByteError,
  type InputEncoding,
} from './encodings.js';
import type { InputTable } from './read-rows.js';

/**
 * The pre-scan: before the first request, one streaming pass over the raw bytes of the whole input
 * checks what would make any row of it untrustworthy (SPEC "Input CSV", "Row validation"):
 * - a quoting error (a quote that never closes, or text after a closing quote): from there on, lines
 *   inside quoted text could be taken for rows and rows for text, so no row can be trusted;
 * - bytes that are not UTF-8, when the file is read as UTF-8: every cell after them could be garbled;
 * - a file read as windows-1252 or latin1 that is in fact UTF-8 with accented text: every accent would
 *   be sent garbled (`Genève` as `GenÃ¨ve`).
 * It looks only at quotes, delimiters and line breaks (`indexOf` over 1 MiB chunks) and uses Node's
 * native UTF-8 check, so even a file of a million rows is checked in a fraction of a second (the
 * benchmarks hold the figures), and memory does not grow with the file.
 */

/** What the pre-scan needs to know about the opened input. */
export type StructureInput = Pick<InputTable, 'path' | 'dataStart' | 'delimiter' | 'lineBreak' | 'encoding' | 'utf8Bom'>;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const CHUNK_BYTES = 1024 * 1024;

/**
 * Reads the whole input once and throws a RunError (nothing sent, exit 1) naming the line of the first
 * quoting error or of the first byte that is not UTF-8, or of the first accented UTF-8 text in a file
 * read in a single-byte encoding. Resolves when every record is well formed, with the number of
 * records (the progress bar's total).
 */
export async function checkStructure(input: StructureInput): Promise<{ records: number }> {
  const quotes = createQuoteScanner({ delimiter: input.delimiter, lineBreak: input.lineBreak, start: input.dataStart.byte });
  // Every file is checked for UTF-8: a UTF-8 file must be valid, and a file read as windows-1252 must
  // not be valid UTF-8 with non-ASCII text (UTF-8 accents are byte pairs that windows-1252 rarely forms).
  const utf8 = createUtf8Checker(input.dataStart.byte);
  const readAsUtf8 = input.encoding === 'utf-8';
  let isUtf8 = true;
  let firstNonAscii = -1;
  let badByteAt = -1;
  let problem: QuoteProblem | undefined;
  try {
    let offset = input.dataStart.byte;
    for await (const chunk of createReadStream(input.path, { start: offset, highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
      if (isUtf8) {
        const bad = utf8.feed(chunk);
        if (bad >= 0) isUtf8 = false;
        if (bad >= 0 && readAsUtf8) {
          badByteAt = bad;
          break;
        }
        if (!readAsUtf8 && firstNonAscii < 0 && !isAscii(chunk)) firstNonAscii = offset + chunk.findIndex((byte) => byte >= 0x80);
      }
      problem = quotes.feed(chunk);
      if (problem !== undefined) break;
      offset += chunk.length;
    }
    if (badByteAt < 0 && problem === undefined) {
      const bad = isUtf8 ? utf8.end() : -1;
      if (bad >= 0) isUtf8 = false;
      if (bad >= 0 && readAsUtf8) badByteAt = bad;
      problem = quotes.end();
    }
  } catch (error) {
    throw new RunError('INPUT_UNREADABLE', `Cannot read the input file ${input.path}: ${(error as Error).message}`, { cause: error });
  }
  if (badByteAt >= 0) {
    const [found] = await locate(input, [badByteAt]);
    const badByte = (await readBytes(input.path, badByteAt, 1))[0] ?? 0;
    throw notUtf8Error(input.path, { line: found?.line ?? input.dataStart.line, lineBytes: found?.bytes ?? Buffer.alloc(0), badByte, bom: input.utf8Bom });
  }
  if (problem !== undefined) throw await quotingError(input, problem);
  if (!readAsUtf8 && isUtf8 && firstNonAscii >= 0) {
    const [found] = await locate(input, [firstNonAscii]);
    throw utf8ReadAsSingleByteError(input.path, { line: found?.line ?? input.dataStart.line, lineBytes: found?.bytes ?? Buffer.alloc(0), encoding: input.encoding });
  }
  return { records: quotes.records() };
}

/** A quoting error found by the scanner, as absolute byte offsets in the file. */
export type QuoteProblem =
  | { kind: 'unclosed'; openedAt: number }
  | { kind: 'text-after-closing-quote'; openedAt: number; closedAt: number };

/** Feeds the bytes of a file in order; each call returns the first quoting error once it is certain. */
export interface QuoteScanner {
  feed(chunk: Buffer): QuoteProblem | undefined;
  /** The end of the file: a quote still open never closes. */
  end(): QuoteProblem | undefined;
  /** Records fed so far, as the reader counts them (records of blank cells only are not records). */
  records(): number;
}

/**
 * Tracks quoted cells the way the reader's parser does (RFC 4180, as Excel writes): a quote opens a
 * quoted cell only at the start of a cell; inside one, `""` is a quote and a single `"` closes it, and
 * must be followed by the delimiter, the line break or the end of the file. A quote elsewhere in an
 * unquoted cell is an ordinary character (`12" pipe`). Starts at a record boundary, at byte `start`.
 */
export function createQuoteScanner(settings: { delimiter: string; lineBreak: '\n' | '\r'; start: number }): QuoteScanner {
  const delimiter = settings.delimiter.charCodeAt(0);
  const crlf = settings.lineBreak === '\n';
  const breakByte = crlf ? LF : CR;
  // outside: not in a quoted cell; `previous` is the byte before the next one, to tell a cell's start.
  // quoted: inside a quoted cell. quote: a quote seen inside it, the next byte says which kind.
  // closedCr: after a closing quote, a CR that must be the start of CRLF.
  let state: 'outside' | 'quoted' | 'quote' | 'closedCr' = 'outside';
  let previous = breakByte;
  let offset = settings.start;
  let openedAt = -1;
  let closedAt = -1;
  // Records seen so far, counted as the reader counts them: a record of blank cells only is no record.
  let records = 0;
  let content = false;
  let breakAt = -2;
  let breakChunk: Buffer | undefined;

  const endRecord = (): void => {
    if (content) records++;
    content = false;
  };
  // Record ends in chunk[from, to), outside quoted cells. The next line break is remembered, so a line
  // with many quoted cells is not searched again for each of them.
  const countRecords = (chunk: Buffer, from: number, to: number): void => {
    if (breakChunk !== chunk) {
      breakChunk = chunk;
      breakAt = -2;
    }
    for (let p = from; ; ) {
      if (breakAt !== -1 && breakAt < p) breakAt = chunk.indexOf(breakByte, p);
      if (breakAt === -1 || breakAt >= to) {
        if (!content) content = hasContent(chunk, p, to, delimiter);
        return;
      }
      if (!content) content = hasContent(chunk, p, breakAt, delimiter);
      endRecord();
      p = breakAt + 1;
    }
  };

  const afterClosing = (byte: number): 'outside' | 'closedCr' | undefined => {
    if (byte === delimiter || byte === breakByte) return 'outside';
    if (byte === CR && crlf) return 'closedCr';
    return undefined;
  };

  return {
    feed(chunk) {
      let i = 0;
      while (i < chunk.length) {
        if (state === 'outside') {
          const at = chunk.indexOf(QUOTE, i);
          countRecords(chunk, i, at === -1 ? chunk.length : at);
          if (at === -1) {
            previous = chunk[chunk.length - 1] ?? previous;
            break;
          }
          const before = at === 0 ? previous : (chunk[at - 1] ?? previous);
          if (before === delimiter || before === breakByte) {
            state = 'quoted';
            openedAt = offset + at;
          } else {
            content = true;
          }
          previous = QUOTE;
          i = at + 1;
        } else if (state === 'quoted') {
          const at = chunk.indexOf(QUOTE, i);
          if (at === -1) {
            if (i < chunk.length) content = true;
            break;
          }
          // Text between the quotes: the record is not blank (a cell of spaces only counts too: rare).
          if (offset + at > openedAt + 1) content = true;
          state = 'quote';
          closedAt = offset + at;
          i = at + 1;
        } else {
          const byte = chunk[i] ?? 0;
          if (state === 'quote' && byte === QUOTE) {
            state = 'quoted';
            content = true;
          } else if (state === 'quote') {
            const next = afterClosing(byte);
            if (next === undefined) return { kind: 'text-after-closing-quote', openedAt, closedAt };
            if (byte === breakByte) endRecord();
            state = next;
            previous = byte;
          } else if (byte === LF) {
            endRecord();
            state = 'outside';
            previous = LF;
          } else {
            return { kind: 'text-after-closing-quote', openedAt, closedAt };
          }
          i++;
        }
      }
      offset += chunk.length;
      return undefined;
    },
    end() {
      if (state === 'quoted') return { kind: 'unclosed', openedAt };
      // A CR alone after the last closing quote of a CRLF file is text after it, as the parser sees it.
      if (state === 'closedCr') return { kind: 'text-after-closing-quote', openedAt, closedAt };
      // The last record, without a line break after it.
      endRecord();
      return undefined;
    },
    records: () => records,
  };
}

/** True when chunk[from, to) holds a byte that makes a cell not blank (anything but the delimiter, spaces, tabs and line breaks). */
function hasContent(chunk: Buffer, from: number, to: number, delimiter: number): boolean {
  for (let i = from; i < to; i++) {
    const byte = chunk[i];
    if (byte !== delimiter && byte !== 0x20 && byte !== 0x09 && byte !== CR && byte !== LF) return true;
  }
  return false;
}

/** Checks a file's bytes for UTF-8 chunk by chunk, carrying a character cut by a chunk's end to the next. */
export function createUtf8Checker(start: number): { feed(chunk: Buffer): number; end(): number } {
  let carry: Buffer | undefined;
  let offset = start;
  return {
    feed(chunk) {
      const bytes = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
      const bytesStart = offset - (carry?.length ?? 0);
      const tail = incompleteUtf8Tail(bytes);
      const bad = firstInvalidUtf8(bytes.subarray(0, bytes.length - tail));
      carry = tail > 0 ? Buffer.from(bytes.subarray(bytes.length - tail)) : undefined;
      offset += chunk.length;
      return bad === -1 ? -1 : bytesStart + bad;
    },
    end() {
      // A character cut off by the end of the file.
      return carry === undefined ? -1 : offset - carry.length;
    },
  };
}

async function quotingError(input: StructureInput, problem: QuoteProblem): Promise<RunError> {
  const offsets = problem.kind === 'unclosed' ? [problem.openedAt] : [problem.openedAt, problem.closedAt];
  const [opened, closed] = await locate(input, offsets);
  const openedLine = opened?.line ?? input.dataStart.line;
  const excerpt = opened === undefined ? '' : ` (line ${openedLine} reads: ${excerptOf(opened.bytes, opened.column, input.encoding)})`;
  let what: string;
  if (problem.kind === 'unclosed') {
    what = `the quote that opens a cell on line ${openedLine}${excerpt} never closes`;
  } else {
    const after = closed === undefined ? '' : decodeBytes(closed.bytes.subarray(closed.column + 1, closed.column + 11), input.encoding).replace(/[\r\n].*$/s, '');
    const where = closed === undefined || closed.line === openedLine ? 'on the same line' : `on line ${closed.line}`;
    what =
      `the quoted cell that opens on line ${openedLine}${excerpt} closes ${where} and is followed by ` +
      `${after === '' ? 'a stray line break character (a CR or LF alone)' : JSON.stringify(after)} instead of the delimiter or the end of the line`;
  }
  return new RunError(
    'INPUT_UNREADABLE',
    `The input file ${input.path} has a quoting error: ${what}. From there on, lines inside quoted text could be taken for rows ` +
      '(and rows for text), so nothing was sent. Fix the quotes of that cell: a cell that starts with " must end with " right before ' +
      'the delimiter or the line end, and a quote inside it is written twice (""). Then run again.',
  );
}

/** The start of the line around an offset, up to a little past it, for a message. */
function excerptOf(line: Buffer, column: number, encoding: InputEncoding): string {
  const from = Math.max(0, column - 40);
  const text = decodeBytes(line.subarray(from, column + 30), encoding).replace(/[\r\n].*$/s, '');
  return `${from > 0 ? '…' : ''}${text}${line.length > column + 30 ? '…' : ''}`;
}

interface Located {
  /** Physical line number of the offset (header = 1). */
  line: number;
  /** The bytes of that line, from its start, at most 300, without its line break. */
  bytes: Buffer;
  /** Position of the offset in `bytes`. */
  column: number;
}

/**
 * Line numbers of byte offsets (ascending), counted from the data start the way the reader counts
 * them: one more per line break byte. Only run on an error, so a second read does not slow a clean file.
 */
async function locate(input: StructureInput, offsets: number[]): Promise<Array<Located | undefined>> {
  const breakByte = input.lineBreak === '\n' ? LF : CR;
  const starts: Array<{ line: number; start: number }> = [];
  let line = input.dataStart.line;
  let lineStart = input.dataStart.byte;
  let position = input.dataStart.byte;
  const last = Math.max(position, offsets[offsets.length - 1] ?? position);
  for await (const chunk of createReadStream(input.path, { start: position, end: last, highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    for (let i = 0; ; ) {
      const at = chunk.indexOf(breakByte, i);
      const end = position + (at === -1 ? chunk.length : at);
      while (starts.length < offsets.length && (offsets[starts.length] ?? 0) < end) starts.push({ line, start: lineStart });
      if (at === -1) break;
      line++;
      lineStart = position + at + 1;
      i = at + 1;
    }
    position += chunk.length;
  }
  while (starts.length < offsets.length) starts.push({ line, start: lineStart });
  return Promise.all(
    offsets.map(async (offset, k) => {
      const found = starts[k];
      if (found === undefined) return undefined;
      const bytes = await readBytes(input.path, found.start, Math.max(300, offset - found.start + 40));
      const cut = bytes.indexOf(breakByte);
      return { line: found.line, bytes: cut === -1 ? bytes : bytes.subarray(0, cut), column: offset - found.start };
    }),
  );
}

async function readBytes(path: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
