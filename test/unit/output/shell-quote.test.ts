import { describe, expect, it } from 'vitest';
import { shellQuote } from '../../../src/output/shell-quote.js';

describe('shellQuote', () => {
  it.each([
    ['plain words and paths stay as they are', '/tmp/usage-2024.csv', '/tmp/usage-2024.csv'],
    ['a space is quoted', 'my file.csv', `'my file.csv'`],
    ['a quote is closed, escaped and reopened', "it's.csv", `'it'\\''s.csv'`],
    ['shell characters are quoted', '$(rm -rf ~)', `'$(rm -rf ~)'`],
    ['an empty argument stays an argument', '', `''`],
  ])('%s', (_name, arg, expected) => {
    expect(shellQuote(arg)).toBe(expected);
  });
});
