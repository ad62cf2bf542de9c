/**
 * Usage quantities as Zuora's decimal column holds them. JSON.parse would turn `1234567890123.123456789`
 * into a rounded double, so the simulator reads the number literal from the raw body text and keeps its
 * exact digits.
 * Its own copy of the rules of src/rows/quantity.ts on purpose: it checks the client, it does not share its code.
 */

/** Most digits before the decimal point (Zuora: 13). */
export const MAX_INTEGER_DIGITS = 13;
/** Most digits after the decimal point (Zuora: 9). */
export const MAX_DECIMALS = 9;

const JSON_NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
const NUMBER_AT = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The raw literal of a number value of `key` in the top-level object of a JSON text that JSON.parse has
 * already accepted. With duplicate keys the last one wins, as with JSON.parse.
 */
export function rawNumberLiteral(json: string, key: string): string | undefined {
  let depth = 0;
  let expectKey = false;
  let currentKey: string | undefined;
  let found: string | undefined;
  let i = 0;
  while (i < json.length) {
    const c = json[i];
    if (c === '"') {
      const end = afterString(json, i);
      if (depth === 1 && expectKey) {
        currentKey = JSON.parse(json.slice(i, end)) as string;
        expectKey = false;
      }
      i = end;
    } else if (c === '{' || c === '[') {
      depth += 1;
      if (depth === 1) expectKey = true;
      i += 1;
    } else if (c === '}' || c === ']') {
      depth -= 1;
      i += 1;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
      i += 1;
    } else if (depth === 1 && !expectKey && (c === '-' || (c !== undefined && c >= '0' && c <= '9'))) {
      NUMBER_AT.lastIndex = i;
      const match = NUMBER_AT.exec(json);
      const literal = match?.[0] ?? c;
      if (currentKey === key) found = literal;
      i += literal.length;
    } else {
      i += 1;
    }
  }
  return found;
}

/**
 * A JSON number literal written as a plain decimal with the digits as sent (`1.50e1` -> `15.0`,
 * `-0.5` stays); undefined when it is not a JSON number or has more than 13 integer or 9 decimal digits.
 */
export function plainDecimal(literal: string): string | undefined {
  const match = JSON_NUMBER.exec(literal);
  if (!match) return undefined;
  const [, sign = '', int = '', frac = '', exp] = match;
  const shift = exp === undefined ? 0 : Number(exp);
  // Guards the string building below against `1e999999`; such numbers are out of range anyway.
  if (Math.abs(shift) > MAX_INTEGER_DIGITS + MAX_DECIMALS + 2) return undefined;
  const digits = int + frac;
  const point = int.length + shift;
  let intPart: string;
  let fracPart: string;
  if (point <= 0) {
    intPart = '0';
    fracPart = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    intPart = digits + '0'.repeat(point - digits.length);
    fracPart = '';
  } else {
    intPart = digits.slice(0, point);
    fracPart = digits.slice(point);
  }
  intPart = intPart.replace(/^0+(?=\d)/, '');
  if (intPart.length > MAX_INTEGER_DIGITS || fracPart.length > MAX_DECIMALS) return undefined;
  return `${sign}${intPart}${fracPart === '' ? '' : `.${fracPart}`}`;
}

/**
 * The raw JSON text of each element of the array value of `key` in the top-level object of a JSON text
 * that JSON.parse has already accepted (the objects of an Actions update, so that each object's Quantity
 * literal can be read with rawNumberLiteral). With duplicate keys the last one wins, as with JSON.parse.
 */
export function rawArrayItems(json: string, key: string): string[] {
  let depth = 0;
  let expectKey = false;
  let currentKey: string | undefined;
  let inTarget = false;
  let itemStart = -1;
  let items: string[] = [];
  const endItem = (end: number): void => {
    if (itemStart >= 0) items.push(json.slice(itemStart, end).trim());
    itemStart = -1;
  };
  let i = 0;
  while (i < json.length) {
    const c = json[i] as string;
    if (inTarget && depth === 2 && itemStart < 0 && c !== ',' && c !== ']' && !/\s/.test(c)) itemStart = i;
    if (c === '"') {
      const end = afterString(json, i);
      if (depth === 1 && expectKey) [currentKey, expectKey] = [JSON.parse(json.slice(i, end)) as string, false];
      i = end;
      continue;
    }
    if (c === '{' || c === '[') {
      if (depth === 1 && c === '[' && currentKey === key) {
        inTarget = true;
        items = [];
      }
      depth += 1;
      if (depth === 1) expectKey = true;
    } else if (c === '}' || c === ']') {
      if (inTarget && depth === 2) {
        endItem(i);
        inTarget = false;
      }
      depth -= 1;
    } else if (c === ',') {
      if (depth === 1) expectKey = true;
      if (inTarget && depth === 2) endItem(i);
    }
    i += 1;
  }
  return items;
}

/** The index just after the JSON string that starts at `start` (its opening quote). */
function afterString(json: string, start: number): number {
  let j = start + 1;
  while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
  return j + 1;
}
