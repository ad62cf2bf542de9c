/**
 * Which usage records a ZOQL where clause (zoql.ts) selects, for the queries that are not a plain list
 * of Ids: the export's filters on AccountNumber, StartDateTime ranges, RbeStatus, UOM and custom fields.
 * Date-times compare as instants (a literal without offset is tenant time), Quantity as a number, the
 * rest as text; a field the record leaves out is null.
 */

import { createHash } from 'node:crypto';
import type { UsageRecord } from './tenant.js';
import type { ZoqlCondition } from './zoql.js';

const DATE_TIME_FIELDS = new Set(['StartDateTime', 'EndDateTime', 'CreatedDate', 'UpdatedDate', 'SubmissionDateTime']);
const LITERAL = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?))?(Z|[+-]\d{2}:\d{2})?$/;

/** Whether the literal of a condition can be compared with the field: a date-time field needs a date-time. Undefined when fine, else the problem. */
export function checkCondition(field: string, condition: ZoqlCondition): string | undefined {
  if (condition.value === undefined) return condition.operator === '=' || condition.operator === '!=' ? undefined : `null compares only with = or !=`;
  if (DATE_TIME_FIELDS.has(field) && instantOf(condition.value, 0) === undefined) return `${condition.value} is not a date-time value for ${field}`;
  return undefined;
}

/**
 * Whether `record` satisfies `where` (an `or` of `and` groups, with field names already in Zuora's
 * spelling). `tenantOffsetMinutes` reads literals without offset.
 */
export function matchesWhere(record: UsageRecord, where: ReadonlyArray<ReadonlyArray<ZoqlCondition>>, tenantOffsetMinutes: number): boolean {
  if (where.length === 0) return true;
  const fields = record as unknown as Record<string, unknown>;
  return where.some((group) => group.every((condition) => matches(fields[condition.field], condition, tenantOffsetMinutes)));
}

function matches(held: unknown, condition: ZoqlCondition, offset: number): boolean {
  const { operator, value } = condition;
  if (value === undefined || held === undefined || held === null) {
    const bothNull = value === undefined && (held === undefined || held === null);
    return operator === '=' ? bothNull : operator === '!=' ? !bothNull : false;
  }
  let order: number;
  if (DATE_TIME_FIELDS.has(condition.field)) {
    const a = instantOf(String(held), offset);
    const b = instantOf(value, offset);
    if (a === undefined || b === undefined) return false;
    order = a - b;
  } else if (condition.field === 'Quantity' || condition.numeric || typeof held === 'number') {
    order = Number(held) - Number(value);
  } else {
    const text = String(held);
    order = text < value ? -1 : text > value ? 1 : 0;
  }
  switch (operator) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

/** Epoch ms of a date or date-time literal; tenant time when it has no offset. */
function instantOf(text: string, offsetMinutes: number): number | undefined {
  const match = LITERAL.exec(text.trim());
  if (!match) return undefined;
  const wall = Date.parse(`${match[1]}T${match[2] ?? '00:00:00'}Z`);
  if (Number.isNaN(wall)) return undefined;
  const zone = match[3];
  if (zone === undefined) return wall - offsetMinutes * 60_000;
  if (zone === 'Z') return wall;
  const sign = zone.startsWith('-') ? -1 : 1;
  return wall - sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
}

/**
 * Records in the order a table scan answers them: fixed for a record, unrelated to its Id or dates
 * (Zuora promises no order), so a client that needs one must sort.
 */
export function inScanOrder(records: UsageRecord[]): UsageRecord[] {
  const keyed = records.map((record) => ({ key: createHash('md5').update(record.Id).digest('hex'), record }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((entry) => entry.record);
}
