/**
 * Text from the server goes into a file people open in Excel. A cell starting with one of these is run
 * as a formula there (CSV injection, OWASP); a leading apostrophe makes it plain text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function spreadsheetSafe(text: string | undefined): string {
  if (text === undefined) return '';
  return FORMULA_START.test(text) ? `'${text}` : text;
}
