/**
 * The ZOQL this tool sends to `POST /v1/action/query`, and how its answer is read. Pure: no network.
 * ZUORA-API-NOTES.md "Reading and writing many records per call (Actions)" has the rules.
 */

/** Most conditions Zuora accepts in one `where` clause, so most ids one query can ask for. */
export const QUERY_ID_LIMIT = 200;

/** Fields read for every record, whatever the input: the billed flag and the owner, besides the Id. */
export const ALWAYS_READ = ['Id', 'RbeStatus', 'AccountId'] as const;

/** One usage record as a query answered it: field -> value text (numbers as their JSON digits). */
export type ReadRecord = Readonly<Record<string, string>>;

/**
 * The fields to select: `Id`, `RbeStatus`, `AccountId` (and `AccountNumber` for a report, which names
 * accounts as people know them), then every updatable field the input has a column for, in input
 * order, each once.
 */
export function fieldsToRead(inputFields: readonly string[], options: { accountNumber?: boolean } = {}): string[] {
  return [...new Set<string>([...ALWAYS_READ, ...(options.accountNumber ? ['AccountNumber'] : []), ...inputFields])];
}

/**
 * `select <fields> from Usage where Id = '<id>' or Id = '<id>' ...`. Ids must already be checked (32
 * letters or digits, map-row.ts), which keeps quotes out; field names are Zuora names or `*__c` names
 * of letters, digits and `_` (columns.ts). ZOQL keywords are lower case; it has no `IN`.
 */
export function buildUsageQuery(fields: readonly string[], ids: readonly string[]): string {
  if (ids.length === 0 || ids.length > QUERY_ID_LIMIT) {
    throw new RangeError(`a usage query takes 1 to ${QUERY_ID_LIMIT} ids, got ${ids.length}`);
  }
  for (const id of ids) {
    if (!/^[A-Za-z0-9]{32}$/.test(id)) throw new RangeError(`not a Zuora id: ${JSON.stringify(id)}`);
  }
  for (const field of fields) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(field)) throw new RangeError(`not a field name: ${JSON.stringify(field)}`);
  }
  return `select ${fields.join(', ')} from Usage where ${ids.map((id) => `Id = '${id}'`).join(' or ')}`;
}

/** Splits ids into groups of at most `size` (QUERY_ID_LIMIT), each id once, first-seen order kept. */
export function batchIds(ids: Iterable<string>, size: number = QUERY_ID_LIMIT): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  for (const id of new Set(ids)) {
    current.push(id);
    if (current.length === size) {
      batches.push(current);
      current = [];
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** A query or queryMore answer: the records, and the locator of the next page when there is one. */
export interface QueryPage {
  records: ReadRecord[];
  /** Whether the answer says it is the last page (`done`; true when Zuora leaves it out). */
  done: boolean;
  /** The `queryLocator` of the next page: pass it to `queryMore`. Only when `done` is false. */
  queryLocator?: string;
  /** `size` as answered: how many records the whole result holds, over all its pages. */
  size?: number;
  /** Entries of this page's `records` array, each counted (whether or not it could be read). */
  received: number;
}

/**
 * Reads a query answer body. Undefined when it is not a query answer (no `records` array): the
 * caller treats it as an error body. Numbers are kept as the digits Zuora wrote (a JSON.parse would
 * round a long quantity), booleans as `true`/`false`, null fields as absent (Zuora leaves them out).
 */
export function readQueryPage(bodyText: string): QueryPage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(numbersAsText(bodyText));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const body = parsed as Record<string, unknown>;
  if (!Array.isArray(body.records)) return undefined;
  const records: ReadRecord[] = [];
  for (const entry of body.records) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
    const record: Record<string, string> = {};
    for (const [name, value] of Object.entries(entry as Record<string, unknown>)) {
      if (value === null || value === undefined) continue;
      record[name] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    if (typeof record.Id === 'string') records.push(record);
  }
  const done = body.done !== false && body.done !== 'false';
  const locator = typeof body.queryLocator === 'string' && body.queryLocator !== '' ? body.queryLocator : undefined;
  // Numbers arrive as their digits (numbersAsText).
  const size = typeof body.size === 'string' && /^\d+$/.test(body.size) ? Number(body.size) : undefined;
  const page: QueryPage = { records, done, received: body.records.length };
  if (size !== undefined) page.size = size;
  if (!done && locator !== undefined) page.queryLocator = locator;
  return page;
}

/**
 * The JSON text with every number outside strings turned into a string of its digits, so that
 * JSON.parse keeps them exactly. Only numbers start with `-` or a digit outside strings.
 */
export function numbersAsText(json: string): string {
  let out = '';
  let inString = false;
  let i = 0;
  while (i < json.length) {
    const char = json[i] as string;
    if (inString) {
      out += char;
      if (char === '\\') {
        out += json[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (char === '"') inString = false;
      i++;
      continue;
    }
    if (char === '"') {
      inString = true;
      out += char;
      i++;
      continue;
    }
    if (char === '-' || (char >= '0' && char <= '9')) {
      let end = i + 1;
      while (end < json.length && /[0-9.eE+-]/.test(json[end] as string)) end++;
      out += `"${json.slice(i, end)}"`;
      i = end;
      continue;
    }
    out += char;
    i++;
  }
  return out;
}
