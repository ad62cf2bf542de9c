import { describe, expect, it } from 'vitest';
import { RunError } from '../../../src/errors.js';
import { detectUtf16, firstInvalidUtf8, incompleteUtf8Tail, parseEncodingOption, windows1252FromLatin1 } from '../../../src/input/encodings.js';

describe('parseEncodingOption', () => {
  it.each([
    ['utf-8', 'utf-8'],
    ['UTF8', 'utf-8'],
    ['windows-1252', 'windows-1252'],
    ['CP1252', 'windows-1252'],
    ['latin1', 'latin1'],
    ['ISO-8859-1', 'latin1'],
  ])('%j -> %j', (value, encoding) => {
    expect(parseEncodingOption(value)).toBe(encoding);
  });

  it.each([
    ['utf-16', 'UTF-16 files are not supported'],
    ['shift_jis', 'use utf-8, windows-1252, latin1'],
  ])('refuses %j as BAD_OPTION: %s', (value, detail) => {
    let error: unknown;
    try {
      parseEncodingOption(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RunError);
    expect((error as RunError).code).toBe('BAD_OPTION');
    expect((error as RunError).message).toContain(detail);
  });
});

describe('windows1252FromLatin1', () => {
  it('maps only 0x80-0x9F and leaves the rest of latin1 as it is', () => {
    expect(windows1252FromLatin1('\u0080 \u0093x\u0094 \u0099 \u009d é ÿ a')).toBe('€ “x” ™ \u009d é ÿ a');
  });
});

describe('firstInvalidUtf8', () => {
  it.each<[string, number[], number]>([
    ['ASCII', [0x61, 0x62], -1],
    ['two, three and four byte characters', [...Buffer.from('é€😀')], -1],
    ['a latin1 é', [0x61, 0xe9, 0x62], 1],
    ['a lone continuation byte', [0x61, 0x80], 1],
    ['an overlong slash', [0xc0, 0xaf], 0],
    ['an overlong three-byte form', [0xe0, 0x80, 0xaf], 0],
    ['a surrogate', [0xed, 0xb0, 0x80], 0],
    ['beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a character cut off at the end', [0x61, 0xe2, 0x82], 1],
  ])('%s', (_name, bytes, offset) => {
    expect(firstInvalidUtf8(Buffer.from(bytes))).toBe(offset);
  });
});

describe('incompleteUtf8Tail', () => {
  it.each<[string, number[], number]>([
    ['complete ASCII', [0x61], 0],
    ['a complete é', [0xc3, 0xa9], 0],
    ['the first byte of é', [0x61, 0xc3], 1],
    ['two bytes of €', [0xe2, 0x82], 2],
    ['three bytes of 😀', [0xf0, 0x9f, 0x98], 3],
    ['a complete 😀', [0xf0, 0x9f, 0x98, 0x80], 0],
  ])('%s', (_name, bytes, tail) => {
    expect(incompleteUtf8Tail(Buffer.from(bytes))).toBe(tail);
  });
});

describe('detectUtf16', () => {
  it.each([
    ['UTF-8 text', Buffer.from('Id,Quantity\na,1\n'), undefined],
    ['a single byte', Buffer.from('I'), undefined],
    ['UTF-16 LE with BOM', Buffer.from('\uFEFFId', 'utf16le'), 'UTF-16 (little endian)'],
    ['UTF-16 LE without BOM', Buffer.from('Id,Quantity\n', 'utf16le'), 'UTF-16 (little endian, without byte order mark)'],
    ['UTF-16 BE without BOM', Buffer.from('Id,Quantity\n', 'utf16le').swap16(), 'UTF-16 (big endian, without byte order mark)'],
  ])('%s', (_name, head, flavour) => {
    expect(detectUtf16(head)).toBe(flavour);
  });
});
