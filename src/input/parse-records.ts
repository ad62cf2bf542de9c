/**
 * The CSV records of a file from a record boundary on, with the physical line each starts at and the
 * byte offset after it, so that reading can start again anywhere (after the header; after a record the
 * parser could not read). Quoting errors are data, not exceptions.
 */
import { createReadStream } from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import { RunError } from '../errors.js';
import { decodeBytes, windows1252FromLatin1, type InputEncoding } from './encodings.js';

const LF = 0x0a;
const CR = 0x0d;
/** How much of a malformed record's first line is kept for the results. */
const MAX_BAD_LINE_BYTES = 64 * 1024;

export interface Position {
  /** Byte offset in the file. */
  byte: number;
  /** Physical line number at that offset. */
  line: number;
}

export type Parsed =
  | { kind: 'record'; cells: string[]; line: number; endByte: number }
  | { kind: 'error'; error: CsvError; line: number; startByte: number };

export interface ParseSettings {
  delimiter: string;
  /** The line break ending records: `\n` (LF and CRLF files) or `\r` (classic Mac files). */
  lineBreak: '\n' | '\r';
  encoding: InputEncoding;
}

/**
 * Parses the file from a record boundary. Yields records with their first line and end offset; on a
 * parse error yields it once, with where the failed record started, and stops.
 */
export async function* parseFrom(path: string, from: Position, settings: ParseSettings): AsyncGenerator<Parsed> {
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

/** The physical line starting at `start` (without its line break) and the offset after it. */
export async function readLine(path: string, start: number, lineBreak: '\n' | '\r', encoding: InputEncoding): Promise<{ text: string; nextByte: number }> {
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

/** The parser's reason in the user's words; its own messages count lines from where it started. */
export function describeCsvError(error: CsvError): string {
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

/** How many times `char` occurs in `text`. */
export function count(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) n++;
  return n;
}

/** Why a file could not be read, in the user's words. */
export function reasonOf(error: unknown): string {
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
