/**
 * The simulated tenant: its usage records, what `GET` returns and what `PUT` accepts, refuses and
 * changes. Pure state and rules, no HTTP: every method returns an `Answer`.
 */

import { type Answer, type CrudError, crudErrorAnswer, jsonAnswer } from './answers.js';
import { jsonObject } from './http-exchange.js';
import { plainDecimal, rawNumberLiteral, MAX_DECIMALS, MAX_INTEGER_DIGITS } from './quantity.js';
import { formatInOffset, MAX_DATE_TIME_LENGTH, offsetMinutes, toTenantDateTime } from './tenant-time-zone.js';

/** A usage record as `GET /v1/object/usage/{id}` returns it (PascalCase, Zuora's field names). */
export interface UsageRecord {
  Id: string;
  AccountId: string;
  AccountNumber: string;
  SubscriptionId?: string;
  SubscriptionNumber?: string;
  ChargeId?: string;
  ChargeNumber?: string;
  /** Date-time in the tenant offset, e.g. `2026-01-15T00:00:00.000-08:00`. */
  StartDateTime: string;
  EndDateTime?: string;
  UOM: string;
  /** Kept as the exact decimal text received once updated (JSON.parse would round long values). */
  Quantity: number | string;
  SourceType: 'API' | 'Import';
  /** `Processed` = billed: standard fields can no longer change. */
  RbeStatus: 'Importing' | 'Pending' | 'Processed';
  Description?: string;
  CreatedById: string;
  CreatedDate: string;
  UpdatedById: string;
  UpdatedDate: string;
  SubmissionDateTime?: string;
  /** Simulator-only: the record belongs to a dynamic-pricing usage charge, so every PUT is refused. Never returned by GET. */
  dynamicPricing?: boolean;
  [custom: `${string}__c`]: unknown;
}

/** The fields `PUT /v1/object/usage/{id}` can change besides custom fields. */
export const STANDARD_UPDATABLE_FIELDS = ['Quantity', 'StartDateTime', 'EndDateTime', 'UOM', 'RbeStatus'] as const;
type StandardField = (typeof STANDARD_UPDATABLE_FIELDS)[number];
const STANDARD = new Set<string>(STANDARD_UPDATABLE_FIELDS);

export const RBE_STATUSES = ['Importing', 'Pending', 'Processed'] as const;

/** Units of measure defined in the default tenant (Zuora refuses a UOM that the tenant does not define). */
export const DEFAULT_UNITS_OF_MEASURE = [
  'Each',
  'GB',
  'MB',
  'TB',
  'API Calls',
  'Minutes',
  'Hours',
  'Seats',
  'Units',
  'Transactions',
  'Messages',
];

/** Custom usage fields defined in the default tenant. Any other `__c` name is an unknown field. */
export const DEFAULT_CUSTOM_FIELDS = ['Region__c', 'CostCenter__c'];

/** The default tenant offset: US Pacific standard time. */
export const DEFAULT_TENANT_TIME_ZONE = '-08:00';

/** The id of the API user the simulator acts as (UpdatedById of records it changes). */
export const API_USER_ID = '2c92c0f96abc17de016abd62bd0c5854';

/** Zuora object ids: 32 letters or digits. */
const OBJECT_ID = /^[0-9A-Za-z]{32}$/;

const GET_FIELD_ORDER = [
  'Id',
  'AccountId',
  'AccountNumber',
  'SubscriptionId',
  'SubscriptionNumber',
  'ChargeId',
  'ChargeNumber',
  'StartDateTime',
  'EndDateTime',
  'UOM',
  'Quantity',
  'SourceType',
  'RbeStatus',
  'Description',
  'CreatedById',
  'CreatedDate',
  'UpdatedById',
  'UpdatedDate',
  'SubmissionDateTime',
] as const;

const DATE_TIME_FIELDS = ['StartDateTime', 'EndDateTime', 'CreatedDate', 'UpdatedDate', 'SubmissionDateTime'] as const;

/** The 404 of a CRUD GET on an id that does not exist. */
const NO_DATA = { size: 0, records: [], done: true };

/** Options of the tenant; see SimulatorOptions for their meaning. */
export interface TenantOptions {
  records: UsageRecord[];
  timeZone?: string;
  acceptAnyId?: boolean;
  unitsOfMeasure?: string[];
  customFields?: string[];
  allowNegativeQuantity?: boolean;
  businessFailureStatus?: 200 | 400;
  ignoreFields?: string[];
  ignoreFieldsById?: Record<string, string[]>;
  now: () => number;
}

export class Tenant {
  readonly records = new Map<string, UsageRecord>();
  /** The Id of each record by its lower-case spelling: Zuora finds a record whatever the letter case of its id. */
  private readonly idsByLowerCase = new Map<string, string>();
  readonly offset: number;
  private readonly acceptAnyId: boolean;
  private readonly units: Set<string>;
  private readonly customFields: Set<string>;
  private readonly allowNegative: boolean;
  private readonly failureStatus: number;
  private readonly now: () => number;
  private readonly ignoreFields: Set<string> | undefined;
  private readonly ignoreFieldsById: Map<string, Set<string>> | undefined;
  private lastStamp = { at: Number.NaN, text: '' };
  private readonly defaultStart: string;

  constructor(options: TenantOptions) {
    const offset = offsetMinutes(options.timeZone ?? DEFAULT_TENANT_TIME_ZONE);
    if (offset === undefined) {
      throw new RangeError(`tenantTimeZone must be a fixed offset like -08:00, got ${options.timeZone}`);
    }
    this.offset = offset;
    this.acceptAnyId = options.acceptAnyId ?? false;
    this.units = new Set(options.unitsOfMeasure ?? DEFAULT_UNITS_OF_MEASURE);
    this.customFields = new Set(options.customFields ?? DEFAULT_CUSTOM_FIELDS);
    this.allowNegative = options.allowNegativeQuantity ?? true;
    this.failureStatus = options.businessFailureStatus ?? 400;
    this.now = options.now;
    this.ignoreFields = options.ignoreFields === undefined || options.ignoreFields.length === 0 ? undefined : new Set(options.ignoreFields);
    const byId = Object.entries(options.ignoreFieldsById ?? {});
    this.ignoreFieldsById = byId.length === 0 ? undefined : new Map(byId.map(([id, fields]) => [id, new Set(fields)]));
    this.defaultStart = formatInOffset(Date.UTC(2026, 0, 1) - offset * 60_000, offset);
    for (const seeded of options.records) {
      const record = this.normalise(seeded);
      this.records.set(record.Id, record);
      this.idsByLowerCase.set(record.Id.toLowerCase(), record.Id);
      for (const key of Object.keys(record)) if (key.endsWith('__c')) this.customFields.add(key);
    }
  }

  /**
   * The record with this id, created first when `acceptAnyId` allows it (a read or a change of an
   * unseen well-formed id); undefined when there is none.
   */
  find(id: string): UsageRecord | undefined {
    const record = this.records.get(id) ?? this.records.get(this.idsByLowerCase.get(id.toLowerCase()) ?? id);
    if (record || !this.acceptAnyId || !OBJECT_ID.test(id)) return record;
    const created = this.synthesise(id);
    this.records.set(id, created);
    this.idsByLowerCase.set(id.toLowerCase(), id);
    return created;
  }

  /** Zuora's spelling of a field a query may select (names are case-insensitive in ZOQL), or undefined when Usage has no such field. */
  queryableField(name: string): string | undefined {
    const lower = name.toLowerCase();
    const standard = GET_FIELD_ORDER.find((field) => field.toLowerCase() === lower);
    if (standard !== undefined) return standard;
    for (const custom of this.customFields) if (custom.toLowerCase() === lower) return custom;
    return undefined;
  }

  /** `GET /v1/object/usage/{id}`. */
  read(id: string): Answer {
    const record = this.find(id);
    if (!record) return jsonAnswer(404, NO_DATA);
    return { status: 200, body: serialise(record) };
  }

  /**
   * `PUT /v1/object/usage/{id}` with the decoded body text. Checks run in the order a real request meets
   * them: body syntax, unknown fields, field values, the record, then whether the record may change.
   */
  update(id: string, bodyText: string, rejectUnknownFields: boolean): Answer {
    const fields = jsonObject(bodyText);
    if (typeof fields === 'string') return this.refuse([{ Code: 'INVALID_VALUE', Message: fields }]);
    if (rejectUnknownFields && this.unknownFields(fields).length > 0) {
      return jsonAnswer(400, { message: 'Error - unrecognised fields' });
    }
    const errors = this.change(id, fields, bodyText);
    return errors === undefined ? jsonAnswer(200, { Id: id, Success: true }) : this.refuse(errors);
  }

  /** The names in `fields` that are neither updatable standard fields nor custom fields of the tenant. */
  unknownFields(fields: Record<string, unknown>): string[] {
    return Object.keys(fields).filter((name) => !STANDARD.has(name) && !this.customFields.has(name));
  }

  /**
   * Applies the known fields of one update to record `id` (unknown ones are ignored), or returns why it
   * is refused, with nothing changed. `objectText` is the JSON text of `fields`, read for the exact digits
   * of Quantity.
   */
  change(id: string, fields: Record<string, unknown>, objectText: string): CrudError[] | undefined {
    const known = Object.keys(fields).filter((name) => STANDARD.has(name) || this.customFields.has(name));
    const errors: CrudError[] = [];
    const changes: Record<string, unknown> = {};
    for (const name of known) {
      const problem = STANDARD.has(name)
        ? this.standardValue(name as StandardField, fields[name], objectText, changes)
        : customValue(name, fields[name], changes);
      if (problem !== undefined) errors.push({ Code: 'INVALID_VALUE', Message: problem });
    }
    if (errors.length > 0) return errors;

    const record = this.find(id);
    if (!record) return [{ Code: 'INVALID_ID', Message: `Invalid Id: no usage record with Id ${id} exists.` }];
    if (record.dynamicPricing) {
      return [
        {
          Code: 'INVALID_VALUE',
          Message: `Usage record ${id} is linked to a dynamic-pricing usage charge and cannot be updated through this API.`,
        },
      ];
    }
    if (record.RbeStatus === 'Processed' && known.some((name) => STANDARD.has(name))) {
      return [
        {
          Code: 'INVALID_VALUE',
          Message: `Usage record ${id} has already been billed (RbeStatus Processed); only custom fields can be updated.`,
        },
      ];
    }

    const target = record as unknown as Record<string, unknown>;
    const ignored = this.ignored(record.Id);
    for (const [name, value] of Object.entries(changes)) {
      if (ignored?.has(name) === true) continue;
      if (value === null) delete target[name];
      else target[name] = value;
    }
    record.UpdatedById = API_USER_ID;
    record.UpdatedDate = this.stamp();
    return undefined;
  }

  /** The fields an update of `id` acknowledges without storing (the `ignoreFields` knobs), if any. */
  private ignored(id: string): Set<string> | undefined {
    if (this.ignoreFieldsById === undefined) return this.ignoreFields;
    const own = this.ignoreFieldsById.get(id);
    if (own === undefined) return this.ignoreFields;
    return this.ignoreFields === undefined ? own : new Set([...this.ignoreFields, ...own]);
  }

  /** Now in tenant time; many updates share a millisecond under load, so the text is reused. */
  private stamp(): string {
    const at = this.now();
    if (at !== this.lastStamp.at) this.lastStamp = { at, text: formatInOffset(at, this.offset) };
    return this.lastStamp.text;
  }

  /** The CRUD `Success:false` answer with these errors, at the tenant's business-failure status. */
  refuse(errors: CrudError[]): Answer {
    return crudErrorAnswer(this.failureStatus, errors);
  }

  /** A plausible Pending record for an id first seen with `acceptAnyId` (generated benchmark files). */
  private synthesise(id: string): UsageRecord {
    const stamp = this.stamp();
    return {
      Id: id,
      AccountId: '8ad09be48db5aea2018dc0c3f3b2290e',
      AccountNumber: 'A00009999',
      StartDateTime: this.defaultStart,
      UOM: 'Each',
      Quantity: '1',
      SourceType: 'API',
      RbeStatus: 'Pending',
      CreatedById: API_USER_ID,
      CreatedDate: stamp,
      UpdatedById: API_USER_ID,
      UpdatedDate: stamp,
    };
  }

  /** A seeded record with date-times in the tenant offset and Quantity as decimal text. */
  private normalise(seeded: UsageRecord): UsageRecord {
    const record: UsageRecord = { ...seeded };
    for (const field of DATE_TIME_FIELDS) {
      const value = record[field];
      if (typeof value === 'string') record[field] = toTenantDateTime(value, this.offset) ?? value;
    }
    record.Quantity = String(record.Quantity);
    return record;
  }

  /** Validates one standard field; records the stored value in `changes` or returns the problem. */
  private standardValue(
    name: StandardField,
    value: unknown,
    bodyText: string,
    changes: Record<string, unknown>,
  ): string | undefined {
    switch (name) {
      case 'Quantity': {
        if (typeof value !== 'number') {
          return `Quantity must be a JSON number (no quotes, no thousands separators), got ${JSON.stringify(value)}.`;
        }
        const literal = rawNumberLiteral(bodyText, 'Quantity') ?? String(value);
        const decimal = plainDecimal(literal);
        if (decimal === undefined) {
          return `Quantity ${literal} has more than ${MAX_INTEGER_DIGITS} integer digits or more than ${MAX_DECIMALS} decimals.`;
        }
        if (!this.allowNegative && decimal.startsWith('-')) {
          return `Quantity ${literal} is negative; the tenant feature Negative Quantity Usage is not enabled.`;
        }
        changes.Quantity = decimal;
        return undefined;
      }
      case 'StartDateTime':
      case 'EndDateTime': {
        const converted = typeof value === 'string' ? toTenantDateTime(value, this.offset) : undefined;
        if (converted === undefined) {
          return (
            `${name} ${JSON.stringify(value)} is not a valid date-time: expected YYYY-MM-DDTHH:MM:SS with optional ` +
            `.sss and optional ±HH:MM, a real calendar date, at most ${MAX_DATE_TIME_LENGTH} characters.`
          );
        }
        changes[name] = converted;
        return undefined;
      }
      case 'UOM': {
        if (typeof value !== 'string' || value.trim() === '') return `UOM must be a non-empty string, got ${JSON.stringify(value)}.`;
        if (!this.units.has(value)) {
          return `UOM ${JSON.stringify(value)} is not a unit of measure defined in this tenant (${[...this.units].join(', ')}).`;
        }
        changes.UOM = value;
        return undefined;
      }
      case 'RbeStatus': {
        if (typeof value !== 'string' || !(RBE_STATUSES as readonly string[]).includes(value)) {
          return `RbeStatus must be one of ${RBE_STATUSES.join(', ')}, got ${JSON.stringify(value)}.`;
        }
        changes.RbeStatus = value;
        return undefined;
      }
    }
  }
}

function customValue(name: string, value: unknown, changes: Record<string, unknown>): string | undefined {
  if (value !== null && typeof value === 'object') {
    return `Custom field ${name} takes a text, number or boolean value, got ${JSON.stringify(value)}.`;
  }
  if (typeof value === 'string' && value.length > 255) {
    return `Custom field ${name} is ${value.length} characters long; at most 255 are allowed.`;
  }
  changes[name] = value;
  return undefined;
}

/** JSON of a record as GET returns it: Zuora's field order, nulls omitted, Quantity as a JSON number with its exact digits. */
export function serialise(record: UsageRecord): string {
  const source = record as unknown as Record<string, unknown>;
  return serialiseFields(record, [...GET_FIELD_ORDER, ...Object.keys(source).filter((name) => name.endsWith('__c'))]);
}

/** JSON of the given fields of a record (Zuora's spelling), in that order, nulls omitted, Quantity as a JSON number with its exact digits. */
export function serialiseFields(record: UsageRecord, fields: readonly string[]): string {
  const source = record as unknown as Record<string, unknown>;
  const parts: string[] = [];
  for (const name of fields) {
    const value = source[name];
    if (value === undefined || value === null) continue;
    parts.push(`${JSON.stringify(name)}:${name === 'Quantity' ? quantityJson(value) : JSON.stringify(value)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * A quantity as Zuora answers it: its exact digits. A record seeded with a quantity in exponent form
 * (`'5.00E-7'`) is answered in that form, as Zuora sometimes does; any other text as a JSON number.
 */
function quantityJson(value: unknown): string {
  const text = String(value);
  if (/^-?\d+(?:\.\d+)?[eE][+-]?\d+$/.test(text)) return text;
  return plainDecimal(text) === undefined ? JSON.stringify(Number(text)) : text;
}
