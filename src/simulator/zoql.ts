/**
 * The ZOQL subset the simulator answers: `select <fields> from Usage where Id = '...' or Id = '...'`,
 * which is all this tool sends. Keywords are lower case, as Zuora requires; field and object names are
 * case-insensitive, as Zuora's are. Anything else is refused with a message naming what is not supported,
 * so a client that drifts from the subset finds out in its tests, not against a tenant.
 */

/** Most conditions Zuora allows in a `where` clause. */
export const MAX_WHERE_CONDITIONS = 200;

/** A parsed query: the fields as written (not yet checked against the object) and the ids asked for, in order. */
export interface UsageQuery {
  fields: string[];
  ids: string[];
}

/** Why a query was refused: the SOAP fault code (`MALFORMED_QUERY`, `INVALID_TYPE`) and a message. */
export interface ZoqlError {
  code: 'MALFORMED_QUERY' | 'INVALID_TYPE';
  message: string;
}

type Token = { kind: 'word' | 'string' | 'symbol'; text: string };

const KEYWORDS = new Set(['select', 'from', 'where', 'or', 'and', 'not', 'order', 'by', 'limit', 'like', 'in', 'null', 'is', 'asc', 'desc']);
const TOKEN = /\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_.]*)|(!=|<>|<=|>=|=|<|>|\(|\)|,|\*)|(\S))/y;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SUBSET = "select <fields> from Usage where Id = '...' or Id = '...'";

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
  if (peek() === undefined) return malformed('a where clause on Id is required: the simulator does not list all usage');
  const where = keyword('where');
  if (where) return where;

  const ids: string[] = [];
  for (;;) {
    const field = peek();
    if (field?.text === '(') return malformed('parentheses are not supported in ZOQL');
    if (field?.kind !== 'word' || isKeyword(field.text)) return malformed(`expected a condition "Id = '...'" but found ${describe(field)}`);
    if (field.text.toLowerCase() !== 'id') return malformed(`conditions on ${field.text} are not supported, only on Id`);
    at += 1;
    const operator = peek();
    if (operator?.text !== '=') return malformed(`operator ${describe(operator)} is not supported, only "="`);
    at += 1;
    const value = peek();
    if (value?.kind !== 'string') return malformed(`expected a quoted id after "Id =" but found ${describe(value)}`);
    ids.push(value.text);
    at += 1;
    const next = peek();
    if (next === undefined) break;
    if (next.kind === 'word' && next.text === 'and') return malformed('"and" is not supported, only "or" between Id conditions');
    const or = keyword('or');
    if (or) return or;
  }
  if (ids.length > MAX_WHERE_CONDITIONS) {
    return {
      code: 'MALFORMED_QUERY',
      message: `The where clause has ${ids.length} conditions; the maximum is ${MAX_WHERE_CONDITIONS}.`,
    };
  }
  return { fields, ids };
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
