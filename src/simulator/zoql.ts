/**
 * The ZOQL subset the simulator answers: `select <fields> from Usage [where <condition> (and|or)
 * <condition> ...]`, each condition `<field> <op> <value>` with `=`, `!=`, `<`, `<=`, `>`, `>=` and a
 * quoted text, a number or `null`; `and` binds tighter than `or`, no parentheses, no `in`, as in Zuora.
 * That covers the Id reads (`Id = '...' or Id = '...'`) and the export's filters. Keywords are lower
 * case, as Zuora requires; field and object names are case-insensitive, as Zuora's are. Anything else is
 * refused with a message naming what is not supported, so a client that drifts from the subset finds out
 * in its tests, not against a tenant.
 */

/** Most conditions Zuora allows in a `where` clause. */
export const MAX_WHERE_CONDITIONS = 200;

/** One `<field> <op> <value>` condition; `value` undefined is `null`. */
export interface ZoqlCondition {
  field: string;
  operator: '=' | '!=' | '<' | '<=' | '>' | '>=';
  value: string | undefined;
  /** The value was a number literal, not a quoted text. */
  numeric: boolean;
}

/**
 * A parsed query: the fields as written (not yet checked against the object), the ids asked for by
 * `Id = '...'` conditions, in order, and the where clause as `or` of `and` groups (empty: no where).
 */
export interface UsageQuery {
  fields: string[];
  ids: string[];
  where: ZoqlCondition[][];
}

const OPERATORS = new Set(['=', '!=', '<', '<=', '>', '>=']);

/** Why a query was refused: the SOAP fault code (`MALFORMED_QUERY`, `INVALID_TYPE`) and a message. */
export interface ZoqlError {
  code: 'MALFORMED_QUERY' | 'INVALID_TYPE';
  message: string;
}

type Token = { kind: 'word' | 'string' | 'symbol'; text: string };

const KEYWORDS = new Set(['select', 'from', 'where', 'or', 'and', 'not', 'order', 'by', 'limit', 'like', 'in', 'null', 'is', 'asc', 'desc']);
const TOKEN = /\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_.]*|-?\d+(?:\.\d+)?)|(!=|<>|<=|>=|=|<|>|\(|\)|,|\*)|(\S))/y;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SUBSET = "select <fields> from Usage [where <field> =|!=|<|<=|>|>= <value> and|or ...]";

/** Parses a query of the supported subset, or says why it is not one. */
export function parseUsageQuery(text: string): UsageQuery | ZoqlError {
  const tokens = tokenize(text);
  if ('code' in tokens) return tokens;
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const malformed = (message: string): ZoqlError => ({ code: 'MALFORMED_QUERY', message: `${message} (the simulator supports: ${SUBSET})` });
  const keyword = (name: string): ZoqlError | undefined => {
    const token = peek();
    if (token?.kind === 'word' && token.text === name) {
      at += 1;
      return undefined;
    }
    if (token?.kind === 'word' && token.text.toLowerCase() === name) {
      return malformed(`ZOQL keywords must be lower case: write "${name}", not "${token.text}"`);
    }
    return malformed(`expected "${name}" but found ${describe(token)}`);
  };

  const select = keyword('select');
  if (select) return select;
  const fields: string[] = [];
  for (;;) {
    const token = peek();
    if (token?.kind !== 'word' || isKeyword(token.text)) return malformed(`expected a field name but found ${describe(token)}`);
    if (!IDENTIFIER.test(token.text)) return malformed(`field ${token.text}: qualified names are not supported`);
    fields.push(token.text);
    at += 1;
    if (peek()?.text !== ',') break;
    at += 1;
  }
  const from = keyword('from');
  if (from) return from;
  const object = peek();
  if (object?.kind !== 'word' || isKeyword(object.text)) return malformed(`expected an object name after "from" but found ${describe(object)}`);
  if (object.text.toLowerCase() !== 'usage') {
    return { code: 'INVALID_TYPE', message: `The simulator answers queries on Usage only, not ${object.text}.` };
  }
  at += 1;
  if (peek() === undefined) return { fields, ids: [], where: [] };
  const where = keyword('where');
  if (where) return where;

  const ids: string[] = [];
  const groups: ZoqlCondition[][] = [[]];
  let conditions = 0;
  for (;;) {
    const field = peek();
    if (field?.text === '(') return malformed('parentheses are not supported in ZOQL');
    if (field?.kind !== 'word' || isKeyword(field.text)) return malformed(`expected a condition "<field> = '...'" but found ${describe(field)}`);
    if (!IDENTIFIER.test(field.text)) return malformed(`field ${field.text}: qualified names are not supported`);
    at += 1;
    const operator = peek();
    if (operator?.kind !== 'symbol' || !OPERATORS.has(operator.text === '<>' ? '!=' : operator.text)) {
      return malformed(`operator ${describe(operator)} is not supported, only =, !=, <, <=, >, >=`);
    }
    at += 1;
    const value = peek();
    const isNull = value?.kind === 'word' && value.text === 'null';
    const isNumber = value?.kind === 'word' && /^-?\d+(\.\d+)?$/.test(value.text);
    if (value?.kind !== 'string' && !isNull && !isNumber) {
      return malformed(`expected a quoted value, a number or null after "${field.text} ${operator.text}" but found ${describe(value)}`);
    }
    const condition: ZoqlCondition = {
      field: field.text,
      operator: (operator.text === '<>' ? '!=' : operator.text) as ZoqlCondition['operator'],
      value: isNull ? undefined : value.text,
      numeric: isNumber,
    };
    if (condition.field.toLowerCase() === 'id' && condition.operator === '=' && condition.value !== undefined) ids.push(condition.value);
    (groups[groups.length - 1] as ZoqlCondition[]).push(condition);
    conditions += 1;
    at += 1;
    const next = peek();
    if (next === undefined) break;
    if (next.kind === 'word' && next.text === 'and') {
      at += 1;
      continue;
    }
    const or = keyword('or');
    if (or) return or;
    groups.push([]);
  }
  if (conditions > MAX_WHERE_CONDITIONS) {
    return {
      code: 'MALFORMED_QUERY',
      message: `The where clause has ${conditions} conditions; the maximum is ${MAX_WHERE_CONDITIONS}.`,
    };
  }
  return { fields, ids, where: groups };
}

function tokenize(text: string): Token[] | ZoqlError {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) {
      if (text.slice(start).trim() === '') break;
      return { code: 'MALFORMED_QUERY', message: `unterminated string in ZOQL near "${text.slice(start, start + 20).trim()}"` };
    }
    const [, single, double, word, symbol, other] = match;
    if (single !== undefined || double !== undefined) tokens.push({ kind: 'string', text: (single ?? double ?? '').replace(/\\(.)/g, '$1') });
    else if (word !== undefined) tokens.push({ kind: 'word', text: word });
    else if (symbol !== undefined) tokens.push({ kind: 'symbol', text: symbol });
    else if (other === "'" || other === '"') {
      return { code: 'MALFORMED_QUERY', message: `unterminated string in ZOQL near "${text.slice(start, start + 20).trim()}"` };
    } else tokens.push({ kind: 'symbol', text: other ?? '' });
  }
  return tokens;
}

function isKeyword(word: string): boolean {
  return KEYWORDS.has(word.toLowerCase());
}

function describe(token: Token | undefined): string {
  if (token === undefined) return 'the end of the query';
  return token.kind === 'string' ? `'${token.text}'` : `"${token.text}"`;
}
