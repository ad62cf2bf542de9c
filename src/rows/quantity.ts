/** Most digits before the decimal point Zuora accepts in a quantity. */
const MAX_INTEGER_DIGITS = 13;
/** Most digits after the decimal point Zuora accepts in a quantity. */
const MAX_DECIMALS = 9;

const PLAIN_DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/**
 * Checks a Quantity cell and returns the JSON number text to send. The digits are kept exactly as
 * written, never passed through a float: only a `+` sign, leading zeros of the integer part and a bare
 * trailing `.` are dropped, and `.5` becomes `0.5`, because JSON forbids those forms.
 *
 * On failure, `message` continues a sentence that starts with the column and the quoted value, e.g.
 * `Quantity "1,234.5" ` + `has a thousands separator; write 1234.5`.
 */
export function parseQuantity(text: string): { ok: true; json: string } | { ok: false; message: string } {
  const value = text.trim();
  if (value === '') return { ok: false, message: 'is empty: expected a decimal number such as 12.5' };
  const match = PLAIN_DECIMAL.exec(value);
  if (!match) return { ok: false, message: explainNotPlain(value) };
  const sign = match[1] === '-' ? '-' : '';
  const integerDigits = match[2] ?? '';
  const decimals = match[3] ?? '';
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
function explainNotPlain(value: string): string {
  const unsigned = value.replace(/^[+-]/, '');
  const sign = value.startsWith('-') ? '-' : '';
  if (/^\d{1,3}([,'\s\u00a0\u202f]\d{3})+(\.\d+)?$/.test(unsigned)) {
    const plain = sign + unsigned.replace(/[,'\s\u00a0\u202f]/g, '');
    // "1,234" could also be a decimal comma; say both readings rather than guess.
    const alsoDecimal = /^\d{1,3},\d{3}$/.test(unsigned) ? ` (or ${sign}${unsigned.replace(',', '.')} if the comma was meant as a decimal point)` : '';
    return `has a thousands separator; write ${plain}${alsoDecimal}`;
  }
  if (/^\d*,\d+$/.test(unsigned)) {
    return `uses a comma as decimal separator; write ${sign}${unsigned.replace(',', '.')}`;
  }
  if (/^\d{1,3}([.'\s\u00a0\u202f]\d{3})+,\d+$/.test(unsigned)) {
    return `uses thousands separators and a decimal comma; write ${sign}${unsigned.replace(/[.'\s\u00a0\u202f]/g, '').replace(',', '.')}`;
  }
  const exponent = /^(\d*)(?:\.(\d*))?e([+-]?\d+)$/i.exec(unsigned);
  if (exponent) {
    const expanded = expandExponent(exponent[1] ?? '', exponent[2] ?? '', Number(exponent[3]));
    const suggestion = expanded === undefined ? '' : `; write ${sign}${expanded}`;
    return `is in scientific notation, which is not accepted (a spreadsheet may have rounded it)${suggestion}`;
  }
  if (/^\(\d*\.?\d+\)$/.test(value)) {
    return `is an accounting-style negative; write -${value.slice(1, -1)}`;
  }
  return 'is not a plain decimal number: expected digits with an optional leading - and an optional . and decimals, such as -12.5';
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
