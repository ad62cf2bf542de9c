/** Most digits before the decimal point Zuora accepts in a quantity. */
const MAX_INTEGER_DIGITS = 13;
/** Most digits after the decimal point Zuora accepts in a quantity. */
const MAX_DECIMALS = 9;

const PLAIN_DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;
/** With `--decimal-comma`: one `,` or one `.` as the decimal separator (which `.` may be is checked apart). */
const COMMA_DECIMAL = /^([+-]?)(\d*)(?:([.,])(\d*))?$/;

/** How a Quantity cell is written. */
export interface QuantityOptions {
  /**
   * `--decimal-comma`: the decimal separator is `,` (`42,5`). A `.` followed by exactly three digits is
   * refused (`1.234` could be a thousands separator); any other single `.` is a decimal point, since a
   * spreadsheet in a decimal-comma locale keeps the cells it could not read as numbers as text.
   */
  decimalComma?: boolean;
}

/** What the messages suggest for a file written with decimal commas. */
const DECIMAL_COMMA_HINT = 'or pass --decimal-comma to read a file saved with decimal commas as it is (semicolon, tab or | delimiter)';

/**
 * Checks a Quantity cell and returns the JSON number text to send. The digits are kept exactly as
 * written, never passed through a float: only a `+` sign, leading zeros of the integer part and a bare
 * trailing `.` are dropped, and `.5` becomes `0.5`, because JSON forbids those forms.
 *
 * With `--decimal-comma` (`options.decimalComma`) the separator is `,` and `42,5` is sent as `42.5`.
 *
 * On failure, `message` continues a sentence that starts with the column and the quoted value, e.g.
 * `Quantity "1,234.5" ` + `has a thousands separator; write 1234.5`.
 */
export function parseQuantity(text: string, options: QuantityOptions = {}): { ok: true; json: string } | { ok: false; message: string } {
  const value = text.trim();
  if (value === '') return { ok: false, message: `is empty: expected a decimal number such as ${options.decimalComma ? '12,5' : '12.5'}` };
  const match = (options.decimalComma ? COMMA_DECIMAL : PLAIN_DECIMAL).exec(value);
  if (!match) return { ok: false, message: explainNotPlain(value, options) };
  const sign = match[1] === '-' ? '-' : '';
  const integerDigits = match[2] ?? '';
  const decimals = (options.decimalComma ? match[4] : match[3]) ?? '';
  if (options.decimalComma && match[3] === '.' && decimals.length === 3) {
    return { ok: false, message: explainDotWithThreeDigits(sign, integerDigits, decimals) };
  }
  if (integerDigits === '' && decimals === '') {
    return { ok: false, message: 'is not a number: expected a decimal number such as 12.5' };
  }
  const integer = integerDigits.replace(/^0+(?=\d)/, '') || '0';
  if (integer.length > MAX_INTEGER_DIGITS) {
    return {
      ok: false,
      message: `has ${integer.length} digits before the decimal point; Zuora accepts at most ${MAX_INTEGER_DIGITS}`,
    };
  }
  if (decimals.length > MAX_DECIMALS) {
    return {
      ok: false,
      message: `has ${decimals.length} decimals; Zuora accepts at most ${MAX_DECIMALS} (round it or drop trailing zeros)`,
    };
  }
  return { ok: true, json: `${sign}${integer}${decimals === '' ? '' : `.${decimals}`}` };
}

/** Why a value is not a plain decimal, with the value to write instead when there is one. */
function explainNotPlain(value: string, options: QuantityOptions): string {
  const unsigned = value.replace(/^[+-]/, '');
  const sign = value.startsWith('-') ? '-' : '';
  const exponent = /^(\d*)(?:[.,](\d*))?e([+-]?\d+)$/i.exec(unsigned);
  if (exponent) {
    const expanded = expandExponent(exponent[1] ?? '', exponent[2] ?? '', Number(exponent[3]));
    const written = expanded === undefined ? '' : `; write ${sign}${options.decimalComma ? expanded.replace('.', ',') : expanded}`;
    return `is in scientific notation: a spreadsheet wrote it so (a number in a General-formatted cell), and may have rounded it; format the column as a number with all its decimals, or as text, before saving${written}`;
  }
  if (options.decimalComma) return explainNotCommaDecimal(unsigned, sign);
  // A single comma before 1-2 or 4+ digits, or after a lone 0, can only be a decimal comma.
  if (/^\d*,\d+$/.test(unsigned) && !/^[1-9]\d{0,2},\d{3}$/.test(unsigned)) {
    return `uses a comma as decimal separator (as a spreadsheet in a decimal-comma locale saves it); write ${sign}${unsigned.replace(',', '.')}, ${DECIMAL_COMMA_HINT}`;
  }
  if (/^\d{1,3}([,'\s\u00a0\u202f]\d{3})+(\.\d+)?$/.test(unsigned)) {
    const plain = sign + unsigned.replace(/[,'\s\u00a0\u202f]/g, '');
    // "1,234" could also be a decimal comma; say both readings rather than guess.
    const alsoDecimal = /^\d{1,3},\d{3}$/.test(unsigned)
      ? ` (or ${sign}${unsigned.replace(',', '.')} if the comma was meant as a decimal point; then write it so, ${DECIMAL_COMMA_HINT})`
      : '';
    return `has a thousands separator; write ${plain}${alsoDecimal}`;
  }
  if (/^\d{1,3}([.'\s\u00a0\u202f]\d{3})+,\d+$/.test(unsigned)) {
    return `uses thousands separators and a decimal comma (as a spreadsheet in a decimal-comma locale shows it); write ${sign}${unsigned.replace(/[.'\s\u00a0\u202f]/g, '').replace(',', '.')}`;
  }
  if (/^\(\d*\.?\d+\)$/.test(value)) {
    return `is an accounting-style negative; write -${value.slice(1, -1)}`;
  }
  return 'is not a plain decimal number: expected digits with an optional leading - and an optional . and decimals, such as -12.5';
}

/** With `--decimal-comma`: why a value is not a decimal with one `,` (or one harmless `.`). */
function explainNotCommaDecimal(unsigned: string, sign: string): string {
  if (/^\d{1,3}([.'\s\u00a0\u202f]\d{3})+(,\d+)?$/.test(unsigned)) {
    return `has a thousands separator; write ${sign}${unsigned.replace(/[.'\s\u00a0\u202f]/g, '')} (format the column without thousands separators before saving)`;
  }
  if (/^\d{1,3}(,\d{3})+\.\d+$/.test(unsigned)) {
    return `has a comma as thousands separator and a decimal point, but --decimal-comma reads , as the decimal separator; write ${sign}${unsigned.replace(/,/g, '').replace('.', ',')}`;
  }
  if (/^\(\d*[.,]?\d+\)$/.test(unsigned)) {
    return `is an accounting-style negative; write -${unsigned.slice(1, -1)}`;
  }
  return 'is not a decimal number: with --decimal-comma, expected digits with an optional leading - and an optional , and decimals, such as -12,5';
}

/** With `--decimal-comma`, `1.234` is a thousand in a German spreadsheet and 1.234 in an English one. */
function explainDotWithThreeDigits(sign: string, integer: string, decimals: string): string {
  const whole = `${sign}${integer}${decimals}`.replace(/^(-?)0+(?=\d)/, '$1');
  return `has a . followed by exactly three digits, which with --decimal-comma may be a thousands separator; write ${whole} if it is, or ${sign}${integer || '0'},${decimals} if the . is a decimal point`;
}

/** Moves the decimal point by string shifting, so the suggestion is exact; undefined when absurd. */
function expandExponent(integer: string, fraction: string, exponent: number): string | undefined {
  if (!Number.isInteger(exponent) || Math.abs(exponent) > MAX_INTEGER_DIGITS + MAX_DECIMALS) return undefined;
  const digits = integer + fraction;
  let point = integer.length + exponent;
  let padded = digits;
  if (point < 0) {
    padded = '0'.repeat(-point) + digits;
    point = 0;
  } else if (point > digits.length) {
    padded = digits + '0'.repeat(point - digits.length);
  }
  const whole = padded.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const decimals = padded.slice(point).replace(/0+$/, '');
  return decimals === '' ? whole : `${whole}.${decimals}`;
}
