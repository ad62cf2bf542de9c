/**
 * The ZOQL of `export` (SPEC "Export and difference-only apply"), built from its filters. Pure. ZOQL has
 * no parentheses (`and` binds before `or`), no `IN` and at most 200 conditions a where clause: several
 * accounts are one query each, and `--where` is added with `and`, so it may not contain `or`.
 * ZUORA-API-NOTES.md "Exporting usage" has the Zuora facts.
 */

import { RunError } from '../errors.js';
import { normalizeDateTime } from '../rows/date-time.js';
import { QUERY_ID_LIMIT } from '../read/usage-query.js';

/** The updatable standard fields an export writes, in the input format's order, after `Id`. */
export const EXPORT_UPDATABLE = ['Quantity', 'StartDateTime', 'EndDateTime', 'UOM'] as const;

/** Read-only context an export writes after the updatable fields; an apply never sends them. */
export const EXPORT_CONTEXT = ['AccountNumber', 'SubscriptionNumber', 'ChargeNumber', 'Description'] as const;

/** The header of the record's status column: context, since `RbeStatus` would be an updatable column. */
export const CURRENT_STATUS_HEADER = 'Current Status';

const RBE_STATUSES = ['Importing', 'Pending', 'Processed'] as const;
const CUSTOM_FIELD = /^[A-Za-z][A-Za-z0-9_]*__c$/;

/** What `export` selects, as the user gave it (checked by {@link checkExportFilters}). */
export interface ExportFilters {
  /** Account numbers: one query each. Empty: every account. */
  accounts: string[];
  /** StartDateTime from (inclusive), as sent: `YYYY-MM-DDTHH:MM:SS[.sss][±HH:MM]`; tenant time without an offset. */
  from?: string;
  /** StartDateTime to (exclusive), as `from`. */
  to?: string;
  /** RbeStatus in Zuora's spelling. */
  status?: string;
  uom?: string;
  /** Custom fields (`*__c`) to export as updatable columns, as written. */
  fields: string[];
  /** A ZOQL condition added with `and`, checked by {@link checkWhere}. */
  where?: string;
}

/** The fields each query selects: Id, the updatable fields, the custom fields, the context and RbeStatus. */
export function exportFields(customFields: readonly string[]): string[] {
  return [...new Set(['Id', ...EXPORT_UPDATABLE, ...customFields, ...EXPORT_CONTEXT, 'RbeStatus'])];
}

/** The export file's header: as {@link exportFields}, with `Current Status` for RbeStatus. */
export function exportHeader(customFields: readonly string[]): string[] {
  return exportFields(customFields).map((field) => (field === 'RbeStatus' ? CURRENT_STATUS_HEADER : field));
}

/** The filter flags of `export` as the user gave them. */
export interface ExportFilterFlags {
  account?: string;
  from?: string;
  to?: string;
  status?: string;
  uom?: string;
  fields?: string;
  where?: string;
}

/**
 * Checks and normalises the filters as the user gave them; throws RunError('BAD_OPTION') naming the
 * flag, the value and what to write instead. Run before any request.
 */
export function checkExportFilters(raw: ExportFilterFlags): ExportFilters {
  const list = (flag: string, text: string | undefined): string[] => {
    if (text === undefined) return [];
    const items = text.split(',').map((item) => item.trim());
    if (items.some((item) => item === '')) throw new RunError('BAD_OPTION', `${flag} "${text}" has an empty item; write the values comma-separated, e.g. ${flag} A00001234,A00001235`);
    return [...new Set(items)];
  };
  const accounts = list('--account', raw.account);
  const fields = list('--fields', raw.fields);
  for (const field of fields) {
    if (!CUSTOM_FIELD.test(field)) {
      throw new RunError('BAD_OPTION', `--fields "${field}" is not a custom field name: --fields takes custom fields ending in __c (e.g. Region__c); Id, Quantity, StartDateTime, EndDateTime and UOM are always exported.`);
    }
  }
  const filters: ExportFilters = { accounts, fields };
  const from = raw.from === undefined ? undefined : dateBound('--from', raw.from);
  const to = raw.to === undefined ? undefined : dateBound('--to', raw.to);
  if (from !== undefined) filters.from = from;
  if (to !== undefined) filters.to = to;
  if (raw.status !== undefined) {
    const status = RBE_STATUSES.find((s) => s.toLowerCase() === raw.status?.trim().toLowerCase());
    if (status === undefined) throw new RunError('BAD_OPTION', `--status "${raw.status}" is not a usage status; expected ${RBE_STATUSES.join(', ')}.`);
    filters.status = status;
  }
  if (raw.uom !== undefined) {
    if (raw.uom.trim() === '') throw new RunError('BAD_OPTION', '--uom needs a unit of measure, e.g. --uom GB');
    filters.uom = raw.uom.trim();
  }
  if (raw.where !== undefined) {
    checkWhere(raw.where);
    filters.where = raw.where.trim();
  }
  const conditions = generatedConditions(filters, accounts[0]).length + (filters.where === undefined ? 0 : countConditions(filters.where));
  if (conditions > QUERY_ID_LIMIT) {
    throw new RunError('BAD_OPTION', `--where: the query would have ${conditions} conditions; Zuora takes at most ${QUERY_ID_LIMIT} in one where clause.`);
  }
  return filters;
}

function dateBound(flag: string, text: string): string {
  const checked = normalizeDateTime(text);
  if (!checked.ok) throw new RunError('BAD_OPTION', `${flag} "${text}" ${checked.message}`);
  return checked.value;
}

/** ZOQL text literal: single-quoted, `'` and `\` escaped. */
function literal(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function generatedConditions(filters: ExportFilters, account?: string): string[] {
  const conditions: string[] = [];
  if (account !== undefined) conditions.push(`AccountNumber = ${literal(account)}`);
  if (filters.from !== undefined) conditions.push(`StartDateTime >= ${literal(filters.from)}`);
  if (filters.to !== undefined) conditions.push(`StartDateTime < ${literal(filters.to)}`);
  if (filters.status !== undefined) conditions.push(`RbeStatus = ${literal(filters.status)}`);
  if (filters.uom !== undefined) conditions.push(`UOM = ${literal(filters.uom)}`);
  return conditions;
}

/** The queries of one export: one per account (ZOQL has no `IN`, and `or` would bind after the other filters), or one for all. */
export function exportQueries(filters: ExportFilters): string[] {
  const select = `select ${exportFields(filters.fields).join(', ')} from Usage`;
  const accounts: Array<string | undefined> = filters.accounts.length > 0 ? filters.accounts : [undefined];
  return accounts.map((account) => {
    const conditions = generatedConditions(filters, account);
    if (filters.where !== undefined) conditions.push(filters.where);
    return conditions.length === 0 ? select : `${select} where ${conditions.join(' and ')}`;
  });
}

type Token = { kind: 'word' | 'string' | 'operator' | 'other'; text: string };

const TOKEN = /\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_.]*|-?\d+(?:\.\d+)?)|(!=|<>|<=|>=|=|<|>)|(\S))/y;

function tokens(where: string): Token[] {
  const found: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < where.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(where);
    if (!match) {
      if (where.slice(start).trim() === '') break;
      throw new RunError('BAD_OPTION', `--where "${where}": a quote opened near "${where.slice(start).trim().slice(0, 20)}" is never closed.`);
    }
    const [, single, double, word, operator, other] = match;
    if (single !== undefined || double !== undefined) found.push({ kind: 'string', text: single ?? double ?? '' });
    else if (word !== undefined) found.push({ kind: 'word', text: word });
    else if (operator !== undefined) found.push({ kind: 'operator', text: operator });
    else if (other === "'" || other === '"') throw new RunError('BAD_OPTION', `--where "${where}": a quote opened near "${where.slice(start).trim().slice(0, 20)}" is never closed.`);
    else found.push({ kind: 'other', text: other ?? '' });
  }
  return found;
}

/** Conditions in a `--where` that {@link checkWhere} accepted: one comparison operator each. */
function countConditions(where: string): number {
  return tokens(where).filter((token) => token.kind === 'operator').length;
}

/**
 * Checks a `--where` condition for what ZOQL takes once it is added with `and` to the export's own
 * conditions: `<field> <op> <value>` conditions joined by `and` (lower case), no `or` (it would bind
 * after the other filters), no `IN`, no parentheses, at most 200 conditions. Throws RunError('BAD_OPTION').
 */
export function checkWhere(where: string): void {
  const bad = (why: string): never => {
    throw new RunError('BAD_OPTION', `--where "${where}": ${why}`);
  };
  const list = tokens(where);
  if (list.length === 0) bad('is empty; give a ZOQL condition such as "Region__c = \'EMEA\'".');
  let at = 0;
  for (;;) {
    const field = list[at];
    if (field?.kind === 'other' && field.text === '(') bad('ZOQL has no parentheses; write the conditions joined by "and".');
    if (field?.kind !== 'word' || isKeyword(field.text)) bad(`expected a field name at ${describe(field)}.`);
    const operator = list[at + 1];
    if (operator?.kind === 'word' && operator.text.toLowerCase() === 'in') bad('ZOQL has no IN; export one value at a time, or use --account A,B for several accounts (one query each).');
    if (operator?.kind !== 'operator') bad(`expected =, !=, <, <=, > or >= after ${field?.text} but found ${describe(operator)}.`);
    const value = list[at + 2];
    const isValue = value?.kind === 'string' || (value?.kind === 'word' && (/^-?\d+(\.\d+)?$/.test(value.text) || value.text === 'null'));
    if (!isValue) bad(`expected a quoted value, a number or null after "${field?.text} ${operator?.text}" but found ${describe(value)}.`);
    at += 3;
    const next = list[at];
    if (next === undefined) break;
    const joiner = next.kind === 'word' ? next.text : '';
    if (joiner.toLowerCase() === 'or') bad('"or" is not allowed: the condition is added to the export\'s filters with "and", and ZOQL has no parentheses, so "or" would bind after them. Export each alternative apart.');
    if (joiner === 'AND' || joiner === 'And' || (joiner.toLowerCase() === 'and' && joiner !== 'and')) bad('ZOQL keywords must be lower case: write "and".');
    if (joiner !== 'and') bad(`expected "and" between conditions but found ${describe(next)}.`);
    at += 1;
  }
  const count = countConditions(where);
  if (count > QUERY_ID_LIMIT) bad(`has ${count} conditions; Zuora takes at most ${QUERY_ID_LIMIT} in one where clause.`);
}

const KEYWORDS = new Set(['select', 'from', 'where', 'or', 'and', 'not', 'in', 'like', 'null', 'order', 'by', 'limit']);

function isKeyword(word: string): boolean {
  return KEYWORDS.has(word.toLowerCase());
}

function describe(token: Token | undefined): string {
  if (token === undefined) return 'the end';
  return token.kind === 'string' ? `'${token.text}'` : `"${token.text}"`;
}
