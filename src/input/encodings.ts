import { isUtf8 } from 'node:buffer';
import { RunError } from '../errors.js';

/**
 * The encodings an input file may be read in (`--encoding`). `windows-1252` is what Excel's plain
 * "CSV (Comma delimited)" writes on Windows in Western locales. `latin1` is read as windows-1252, as
 * browsers and the WHATWG Encoding standard do: the two differ only in bytes 0x80-0x9F, which are
 * control characters in ISO-8859-1 that no spreadsheet means, and `€`, `…`, curly quotes in windows-1252.
 */
export const INPUT_ENCODINGS = ['utf-8', 'windows-1252', 'latin1'] as const;

export type InputEncoding = (typeof INPUT_ENCODINGS)[number];

/** Other spellings people and tools use for the same encodings. */
const ENCODING_ALIASES: Readonly<Record<string, InputEncoding>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'windows-1252': 'windows-1252',
  windows1252: 'windows-1252',
  cp1252: 'windows-1252',
  latin1: 'latin1',
  'latin-1': 'latin1',
  'iso-8859-1': 'latin1',
  'iso8859-1': 'latin1',
};

/** Turns an `--encoding` value into an InputEncoding, accepting common spellings in any case. */
export function parseEncodingOption(value: string): InputEncoding {
  const encoding = ENCODING_ALIASES[value.trim().toLowerCase()];
  if (encoding === undefined) {
    const utf16 = /^(utf-?16|ucs-?2|unicode)/i.test(value.trim()) ? ' UTF-16 files are not supported: save the file as "CSV UTF-8".' : '';
    throw new RunError('BAD_OPTION', `--encoding ${JSON.stringify(value)} is not supported: use ${INPUT_ENCODINGS.join(', ')}.${utf16}`);
  }
  return encoding;
}

/** Characters of windows-1252 bytes 0x80-0x9F; the five bytes it leaves undefined keep their code point. */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
].map((code) => String.fromCharCode(code));

const C1_RANGE = /[\u0080-\u009f]/g;

/**
 * Text read byte for byte as ISO-8859-1 (each byte one character, as csv-parse's `latin1` gives it),
 * turned into windows-1252 text. Only bytes 0x80-0x9F differ.
 */
export function windows1252FromLatin1(text: string): string {
  return text.replace(C1_RANGE, (char) => WINDOWS_1252_HIGH[char.charCodeAt(0) - 0x80] ?? char);
}

/** Decodes bytes of an input file in its encoding. */
export function decodeBytes(bytes: Buffer, encoding: InputEncoding): string {
  return encoding === 'utf-8' ? bytes.toString('utf8') : windows1252FromLatin1(bytes.toString('latin1'));
}

/**
 * Offset of the first byte of `bytes` that does not belong to a well-formed UTF-8 sequence, or -1.
 * A sequence cut off by the end of `bytes` counts as invalid: callers pass whole files or whole lines.
 */
export function firstInvalidUtf8(bytes: Buffer): number {
  if (isUtf8(bytes)) return -1;
  for (let i = 0; i < bytes.length; ) {
    const length = utf8SequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return -1;
}

/** Length of the well-formed UTF-8 sequence starting at `i` (RFC 3629: no overlongs, surrogates or > U+10FFFF), or 0. */
function utf8SequenceLength(bytes: Buffer, i: number): number {
  const lead = bytes[i] ?? 0;
  if (lead < 0x80) return 1;
  let length: number;
  let min = 0x80;
  let max = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) min = 0xa0;
    if (lead === 0xed) max = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) min = 0x90;
    if (lead === 0xf4) max = 0x8f;
  } else return 0;
  for (let k = 1; k < length; k++) {
    const byte = bytes[i + k];
    if (byte === undefined) return 0;
    const low = k === 1 ? min : 0x80;
    const high = k === 1 ? max : 0xbf;
    if (byte < low || byte > high) return 0;
  }
  return length;
}

/**
 * How many bytes at the end of `bytes` start a UTF-8 sequence that the end cuts off, so that a stream
 * can be checked chunk by chunk: those bytes are checked with the next chunk.
 */
export function incompleteUtf8Tail(bytes: Buffer): number {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const byte = bytes[bytes.length - back] ?? 0;
    if (byte < 0x80) return 0;
    if (byte >= 0xc0) {
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return length > back ? back : 0;
    }
  }
  return 0;
}

/**
 * The UTF-16 flavour of a file that starts with a UTF-16 byte order mark, or whose first bytes are
 * mostly ASCII characters interleaved with zero bytes (UTF-16 without a mark); undefined otherwise.
 */
export function detectUtf16(head: Buffer): string | undefined {
  if (head[0] === 0xff && head[1] === 0xfe) return 'UTF-16 (little endian)';
  if (head[0] === 0xfe && head[1] === 0xff) return 'UTF-16 (big endian)';
  const pairs = Math.min(head.length, 4096) >> 1;
  if (pairs < 2) return undefined;
  let little = 0;
  let big = 0;
  for (let i = 0; i < pairs * 2; i += 2) {
    const even = head[i] ?? 0;
    const odd = head[i + 1] ?? 0;
    if (even !== 0 && odd === 0) little++;
    else if (even === 0 && odd !== 0) big++;
  }
  if (little * 2 > pairs) return 'UTF-16 (little endian, without byte order mark)';
  if (big * 2 > pairs) return 'UTF-16 (big endian, without byte order mark)';
  return undefined;
}

/** The refusal of a UTF-16 file, whatever `--encoding` says: its delimiters and quotes are not single bytes. */
export function utf16Error(path: string, flavour: string): RunError {
  return new RunError(
    'INPUT_UNREADABLE',
    `The input file ${path} is ${flavour}, which is not supported (Excel's "Unicode Text" saves UTF-16): ` +
      'save it as "CSV UTF-8 (Comma delimited)" and run again. Nothing was sent.',
  );
}

/**
 * The refusal of a file that is not valid UTF-8, naming the line and showing it as windows-1252 would
 * read it, so the user can see whether that is the encoding to ask for.
 */
export function notUtf8Error(path: string, found: { line: number; lineBytes: Buffer; badByte: number; bom: boolean }): RunError {
  const shown = windows1252FromLatin1(found.lineBytes.subarray(0, 200).toString('latin1')).replace(/\r$/, '');
  const byte = `0x${found.badByte.toString(16).toUpperCase().padStart(2, '0')}`;
  const reading = `line ${found.line} has the byte ${byte}, which is not UTF-8 (read as windows-1252, the line is: ${shown})`;
  const advice = found.bom
    ? 'The file starts with a UTF-8 byte order mark, so it is read as UTF-8 whatever --encoding says, but this line is in another encoding ' +
      '(pasted from another file?): fix the line, or save the whole file again as "CSV UTF-8".'
    : 'Excel\'s plain "CSV (Comma delimited)" on Windows writes windows-1252: if that line reads right above, run again with ' +
      '--encoding windows-1252; or save the file as "CSV UTF-8 (Comma delimited)".';
  return new RunError('INPUT_UNREADABLE', `The input file ${path} is not valid UTF-8: ${reading}. ${advice} Nothing was sent.`);
}

/**
 * The refusal of a file read in a single-byte encoding that is in fact UTF-8 with non-ASCII text:
 * every accent would be sent garbled. Shows the line both ways.
 */
export function utf8ReadAsSingleByteError(path: string, found: { line: number; lineBytes: Buffer; encoding: InputEncoding }): RunError {
  const bytes = found.lineBytes.subarray(0, 200);
  const asUtf8 = bytes.toString('utf8').replace(/\r$/, '');
  const asOther = decodeBytes(bytes, found.encoding).replace(/\r$/, '');
  return new RunError(
    'INPUT_UNREADABLE',
    `The input file ${path} is read as ${found.encoding} (--encoding ${found.encoding}), but it is UTF-8: line ${found.line} reads ` +
      `${JSON.stringify(asUtf8)} in UTF-8 and would be sent as ${JSON.stringify(asOther)}. Run again without --encoding (UTF-8 is the default). ` +
      'Nothing was sent.',
  );
}
