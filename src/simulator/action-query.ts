/**
 * `POST /v1/action/query` and `POST /v1/action/queryMore`: usage records read many at a time with the
 * ZOQL subset of zoql.ts, paged by `conf.batchSize` behind query locators that expire after 15 minutes
 * of the simulator's clock.
 */

import { randomBytes } from 'node:crypto';
import { type Answer, invalidValueFault, soapFaultAnswer } from './answers.js';
import { jsonObject } from './http-exchange.js';
import { serialiseFields, type Tenant, type UsageRecord } from './tenant.js';
import { parseUsageQuery, type UsageQuery } from './zoql.js';
import { checkCondition, matchesWhere, inScanOrder } from './zoql-filter.js';

/** Most records a query or queryMore answers at once, and the default `conf.batchSize` (Zuora: 2000). */
export const MAX_BATCH_SIZE = 2000;

/** How long a query locator can be used, from when it was issued (Zuora: 15 minutes). */
export const QUERY_LOCATOR_LIFETIME_MS = 15 * 60_000;

/**
 * A query answer that does not add up, as a gateway or an overloaded Zuora may give one (scripted with
 * `queryAnswerFaults`, one per query or queryMore page answered):
 * - `no-locator`: `done` false but no `queryLocator`, and the page's last record left out;
 * - `short`: `done` true and `size` counting every record, but the page's last record left out;
 * - `expired-locator`: the page's last record left for a next page behind a locator that has already
 *   expired (queryMore with it is refused with INVALID_QUERY_LOCATOR).
 */
export type QueryAnswerFault = 'no-locator' | 'short' | 'expired-locator';

interface Cursor {
  /** The JSON of every record of the result, taken when the query ran. */
  records: string[];
  /** Where the next page starts. */
  offset: number;
  expiresAt: number;
}

/** The query endpoints of one tenant, with the cursors of the queries not yet read to the end. */
export class ActionQuery {
  private readonly cursors = new Map<string, Cursor>();

  constructor(
    private readonly tenant: Tenant,
    private readonly now: () => number,
    private readonly faults: QueryAnswerFault[] = [],
  ) {}

  /** `POST /v1/action/query` with the decoded body; `ids` receives the ids of the where clause. */
  query(bodyText: string, ids: (ids: string[]) => void): Answer {
    const body = jsonObject(bodyText);
    if (typeof body === 'string') return invalidValueFault(body);
    const queryString = body.queryString;
    if (typeof queryString !== 'string' || queryString.trim() === '') {
      return invalidValueFault('queryString is required: a ZOQL query such as select Id, Quantity from Usage where Id = \'...\'');
    }
    const batchSize = batchSizeOf(body.conf);
    if (typeof batchSize === 'string') return invalidValueFault(batchSize);
    const parsed = parseUsageQuery(queryString);
    if ('code' in parsed) {
      return soapFaultAnswer(parsed.code, parsed.message, parsed.code === 'INVALID_TYPE' ? 'InvalidTypeFault' : 'MalformedQueryFault');
    }
    ids(parsed.ids);
    const fields: string[] = [];
    for (const written of parsed.fields) {
      const field = this.tenant.queryableField(written);
      if (field === undefined) return soapFaultAnswer('INVALID_FIELD', `invalid field for query: Usage.${written.toLowerCase()}`, 'MalformedQueryFault');
      if (!fields.includes(field)) fields.push(field);
    }
    const matched = this.select(parsed);
    if (typeof matched === 'string') return soapFaultAnswer('MALFORMED_QUERY', matched, 'MalformedQueryFault');
    this.sweep();
    return this.page({ records: matched.map((record) => serialiseFields(record, fields)), offset: 0, expiresAt: 0 }, batchSize);
  }

  /**
   * The records a where clause selects. A list of `Id = '...'` conditions is an index lookup, answered
   * sorted by Id (not in the order of the where clause, so a client must match records by Id); any
   * other clause is a table scan, answered in no order a client could rely on (inScanOrder). A string
   * says why a condition cannot be taken.
   */
  private select(parsed: UsageQuery): UsageRecord[] | string {
    const idLookup = parsed.where.length > 0 && parsed.where.every((group) => group.length === 1 && group[0]?.field.toLowerCase() === 'id' && group[0].operator === '=' && group[0].value !== undefined);
    if (idLookup) {
      // One record once, whatever the letter case its ids were written in.
      return [...new Set(parsed.ids.map((id) => this.tenant.find(id)))]
        .filter((record) => record !== undefined)
        .sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
    }
    const where = [];
    for (const group of parsed.where) {
      const conditions = [];
      for (const condition of group) {
        const field = this.tenant.queryableField(condition.field);
        if (field === undefined) return `invalid field for query: Usage.${condition.field.toLowerCase()}`;
        const problem = checkCondition(field, condition);
        if (problem !== undefined) return problem;
        conditions.push({ ...condition, field });
      }
      where.push(conditions);
    }
    const found: UsageRecord[] = [];
    for (const record of this.tenant.records.values()) if (matchesWhere(record, where, this.tenant.offset)) found.push(record);
    return inScanOrder(found);
  }

  /** `POST /v1/action/queryMore` with the decoded body. */
  queryMore(bodyText: string): Answer {
    const body = jsonObject(bodyText);
    if (typeof body === 'string') return invalidValueFault(body);
    const locator = body.queryLocator;
    if (typeof locator !== 'string' || locator === '') return invalidValueFault('queryLocator is required: the queryLocator of the previous query or queryMore answer.');
    const batchSize = batchSizeOf(body.conf);
    if (typeof batchSize === 'string') return invalidValueFault(batchSize);
    this.sweep();
    const cursor = this.cursors.get(locator);
    if (cursor === undefined) {
      return soapFaultAnswer('INVALID_QUERY_LOCATOR', `Invalid queryLocator ${locator}: unknown, or expired (locators last 15 minutes).`, 'InvalidQueryLocatorFault');
    }
    return this.page(cursor, batchSize);
  }

  /**
   * The page of `cursor` from its offset. A locator stays usable until it expires, so a client that lost
   * an answer can ask for the same page again.
   */
  private page(cursor: Cursor, batchSize: number): Answer {
    const fault = this.faults.shift();
    if (fault !== undefined) return this.faultyPage(cursor, batchSize, fault);
    const end = Math.min(cursor.offset + batchSize, cursor.records.length);
    const records = `[${cursor.records.slice(cursor.offset, end).join(',')}]`;
    const size = cursor.records.length;
    if (end >= cursor.records.length) return { status: 200, body: `{"records":${records},"size":${size},"done":true}` };
    const locator = `${randomBytes(16).toString('hex')}-${end}`;
    this.cursors.set(locator, { records: cursor.records, offset: end, expiresAt: this.now() + QUERY_LOCATOR_LIFETIME_MS });
    return { status: 200, body: `{"records":${records},"size":${size},"done":false,"queryLocator":${JSON.stringify(locator)}}` };
  }

  /** The page of `cursor` with `fault`: its last record left out (or left behind an expired locator). */
  private faultyPage(cursor: Cursor, batchSize: number, fault: QueryAnswerFault): Answer {
    const end = Math.max(cursor.offset, Math.min(cursor.offset + batchSize, cursor.records.length) - 1);
    const records = `[${cursor.records.slice(cursor.offset, end).join(',')}]`;
    const size = cursor.records.length;
    if (fault === 'short') return { status: 200, body: `{"records":${records},"size":${size},"done":true}` };
    if (fault === 'no-locator') return { status: 200, body: `{"records":${records},"size":${size},"done":false}` };
    const locator = `${randomBytes(16).toString('hex')}-${end}`;
    this.cursors.set(locator, { records: cursor.records, offset: end, expiresAt: this.now() });
    return { status: 200, body: `{"records":${records},"size":${size},"done":false,"queryLocator":${JSON.stringify(locator)}}` };
  }

  private sweep(): void {
    const now = this.now();
    for (const [locator, cursor] of this.cursors) if (cursor.expiresAt <= now) this.cursors.delete(locator);
  }
}

function batchSizeOf(conf: unknown): number | string {
  if (conf === undefined) return MAX_BATCH_SIZE;
  if (typeof conf !== 'object' || conf === null || Array.isArray(conf)) return 'conf must be an object such as {"batchSize": 200}.';
  const batchSize = (conf as Record<string, unknown>).batchSize;
  if (batchSize === undefined) return MAX_BATCH_SIZE;
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
    return `conf.batchSize must be a whole number from 1 to ${MAX_BATCH_SIZE}, got ${JSON.stringify(batchSize)}.`;
  }
  return batchSize;
}
