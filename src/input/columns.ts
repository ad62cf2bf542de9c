import { RunError } from '../errors.js';
import { RESULT_COLUMNS } from '../row-outcome.js';
import { editDistance } from '../text/edit-distance.js';

/** The standard usage fields the PUT endpoint can change, in Zuora's spelling. */
export const UPDATABLE_FIELDS = ['Quantity', 'StartDateTime', 'EndDateTime', 'UOM', 'RbeStatus'] as const;

/** One of the standard updatable usage fields. */
export type UpdatableField = (typeof UPDATABLE_FIELDS)[number];

/** An input column whose cells are sent to Zuora. */
export interface FieldColumn {
  /** 0-based position of the column in the header. */
  index: number;
  /** The header cell as the user wrote it (trimmed), used in messages. */
  header: string;
  /** Zuora field name sent: one of UPDATABLE_FIELDS or a custom field `xxx__c` as written. */
  field: string;
}

/** How the input header maps to what is sent; built once per run by {@link matchColumns}. */
export interface ColumnMap {
  /** 0-based position of the usage Id column. */
  idIndex: number;
  /** Updatable columns in file order. */
  fields: FieldColumn[];
  /** Headers accepted but not sent (read-only Zuora columns, other objects' columns), as written. */
  ignored: string[];
  /** Unknown headers kept only because `ignoreUnknownColumns` was given, as written. */
  unknown: string[];
  /**
   * 0-based positions of result columns of an earlier run (RESULT_COLUMNS and the `before_<Field>`
   * and `changes` preview columns); they are ignored on input and dropped from outputs.
   */
  resultColumnIndexes: number[];
}

/** Zuora's spelling of the Id column, used in messages. */
const ID = 'Id';

/**
 * Normalized spellings of the Id and updatable columns: Zuora's API names, the Data Loader template
 * labels, the Data Source labels and the usage upload template names users think in.
 */
const FIELD_KEYS: ReadonlyMap<string, string> = new Map([
  ['id', ID],
  ['quantity', 'Quantity'],
  ['qty', 'Quantity'],
  ['startdatetime', 'StartDateTime'],
  ['startdate', 'StartDateTime'],
  ['enddatetime', 'EndDateTime'],
  ['enddate', 'EndDateTime'],
  ['uom', 'UOM'],
  ['unitofmeasure', 'UOM'],
  ['unitsofmeasure', 'UOM'],
  ['rbestatus', 'RbeStatus'],
]);

/** Normalized spellings of usage columns Zuora exports but this endpoint cannot change. */
const READ_ONLY_KEYS: ReadonlyMap<string, string> = new Map(
  [
    'AccountId',
    'AccountNumber',
    'SubscriptionId',
    'SubscriptionNumber',
    'ChargeId',
    'ChargeNumber',
    'SourceType',
    'Description',
    'CreatedById',
    'CreatedDate',
    'UpdatedById',
    'UpdatedDate',
    'SubmissionDateTime',
    'ImportId',
    'UniqueKey',
  ]
    .map((name): [string, string] => [name.toLowerCase(), name])
    // The Usage Data Source labels this column "Submission Date"; `export` writes the status as context.
    .concat([
      ['submissiondate', 'SubmissionDateTime'],
      ['currentstatus', 'Current Status'],
    ]),
);

const RESULT_KEYS: ReadonlySet<string> = new Set(RESULT_COLUMNS.map((name) => keyOf(name)));

/** Every normalized name with the Zuora spelling a suggestion shows for it. */
const KNOWN_KEYS: ReadonlyMap<string, string> = new Map([...FIELD_KEYS, ...READ_ONLY_KEYS]);

/** Zuora custom field API names: a letter, then letters, digits or `_`, ending in `__c`. */
const CUSTOM_FIELD = /^[A-Za-z][A-Za-z0-9_]*__c$/i;

/** A `Usage.` or `Usage:` object prefix (AQuA and Data Source exports), spaces allowed around `:`. */
const USAGE_OBJECT_PREFIX = /^usage\s*[.:]\s*/i;

/** `<Object>: <Field>` or `<Object>.<Field>`, as Data Source, Data Query and AQuA exports join them. */
const OBJECT_COLUMN = /^([A-Za-z][A-Za-z0-9 _-]*?)\s*[.:]\s*(\S.*)$/;

/**
 * The Zuora objects that a Data Source or Data Query export joins to usage (SPEC "Input CSV"), as
 * normalized keys. Only these make a prefixed column another object's: any other word before `:` or `.`
 * (`Corrected: Quantity`, `New.Quantity`) is an unknown column, never a silently dropped correction.
 */
const OTHER_OBJECTS: ReadonlyMap<string, string> = new Map(
  [
    'Account',
    'Bill To',
    'Sold To',
    'Subscription',
    'Rate Plan',
    'Rate Plan Charge',
    'Rate Plan Charge Tier',
    'Product',
    'Product Rate Plan',
    'Product Rate Plan Charge',
    'Invoice',
    'Invoice Item',
    'Amendment',
    'Contact',
    'Payment Method',
    'Import',
    'Entity',
  ].map((name): [string, string] => [keyOf(name), name]),
);

function keyOf(text: string): string {
  return text.toLowerCase().replace(/[\s_\-.:]/g, '');
}

/**
 * Canonical key used for matching: lowercased, without spaces, `_` `-` `.` `:` and without a leading
 * usage object prefix. `Usage` counts as a prefix when a separator follows it (`Usage ID`, `Usage.Id`,
 * `Usage: Start Date`) or when the rest is a known name (`UsageId`), so other names that merely start
 * with "usage" keep it.
 */
export function normalizeHeader(header: string): string {
  const trimmed = header.trim();
  const key = keyOf(trimmed);
  if (!key.startsWith('usage') || key.length === 'usage'.length) return key;
  const rest = key.slice('usage'.length);
  const separated = /^usage[\s_\-.:]/i.test(trimmed);
  return separated || KNOWN_KEYS.has(rest) ? rest : key;
}

/** The custom field name a header stands for, or undefined when it is not a custom field column. */
function customFieldOf(header: string): string | undefined {
  const name = header.replace(USAGE_OBJECT_PREFIX, '');
  return CUSTOM_FIELD.test(name) ? name : undefined;
}

/** The object prefix and field of a prefixed header (`Account: Account Number`), if it has one. */
function splitObjectColumn(header: string): { object: string; field: string } | undefined {
  const match = OBJECT_COLUMN.exec(header);
  if (!match) return undefined;
  return { object: (match[1] ?? '').trim(), field: (match[2] ?? '').trim() };
}

/**
 * True for a column of another Zuora object joined to usage by an export (`Account: Account Number`,
 * `Subscription.Name`). A numeric field part is not a field: `Account.1` is how pandas and some
 * spreadsheets rename a repeated column, which is reported rather than silently ignored.
 */
function isOtherObjectColumn(header: string): boolean {
  const parts = splitObjectColumn(header);
  return parts !== undefined && OTHER_OBJECTS.has(keyOf(parts.object)) && !/^\d+$/.test(parts.field);
}

/**
 * Result columns of an earlier run are ignored on input, but only in a file that has them all (a
 * results or failures file): a user's own column named `Line` or `Result` is not silently dropped.
 */
function resultColumnTest(header: string[]): (text: string) => boolean {
  const keys = new Set(header.map((cell) => keyOf(cell.trim())));
  const isResultsFile = [...RESULT_KEYS].every((key) => keys.has(key));
  return (text) => isResultsFile && (RESULT_KEYS.has(keyOf(text)) || /^before_/i.test(text) || keyOf(text) === 'changes');
}

/**
 * The Zuora spelling of the known column closest to an unknown header, if one is close enough to be a
 * plausible typo (about one edit per three letters) or is contained in it (`New Quantity`).
 */
function closestKnownName(header: string): string | undefined {
  const key = normalizeHeader(header);
  if (key === '') return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const [known, name] of KNOWN_KEYS) {
    const distance = editDistance(key, known);
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  if (best !== undefined && best.distance <= Math.max(1, Math.floor(key.length / 3))) return best.name;
  let contained: string | undefined;
  for (const [known, name] of FIELD_KEYS) {
    if (known.length >= 3 && key.includes(known) && (contained === undefined || known.length > contained.length)) {
      contained = name;
    }
  }
  return contained;
}

interface UnknownColumn {
  index: number;
  header: string;
}

/**
 * The prefix of a header written like another object's column whose prefix is no Zuora object
 * (`Corrected: Quantity`), or undefined. `Usage` and numeric field parts (`Quantity.1`) are not such
 * prefixes: they have their own explanations.
 */
function unknownObjectOf(header: string): { object: string; field: string } | undefined {
  const parts = splitObjectColumn(header);
  if (parts === undefined || /^\d+$/.test(parts.field)) return undefined;
  const key = keyOf(parts.object);
  return key === 'usage' || OTHER_OBJECTS.has(key) ? undefined : parts;
}

/** The Zuora object a misspelled prefix most likely means (`Acount` -> Account), if one is that close. */
function closestObject(prefix: string): string | undefined {
  const key = keyOf(prefix);
  for (const [known, name] of OTHER_OBJECTS) {
    if (editDistance(key, known) <= Math.max(1, Math.floor(known.length / 4))) return name;
  }
  return undefined;
}

function describeUnknown(column: UnknownColumn): string {
  const position = `column ${column.index + 1}`;
  if (column.header === '') return `${position} has no header`;
  const custom = /__c$/i.test(column.header) ? '; custom field names are letters, digits and _ ending in __c' : '';
  const prefixed = unknownObjectOf(column.header);
  if (prefixed !== undefined) {
    // A misspelled object (`Acount: Name`) is suggested as the object; any other prefix is judged by its
    // field part, since `Corrected: Quantity` is a Quantity correction that must not be lost.
    const object = closestObject(prefixed.object);
    const suggestion = object !== undefined ? `${object}: ${prefixed.field}` : closestKnownName(prefixed.field) ?? closestKnownName(column.header);
    const hint = suggestion === undefined ? ';' : `; did you mean ${suggestion}?`;
    return `"${column.header}" (${position}${hint} "${prefixed.object}" is not a Zuora object${custom})`;
  }
  const suggestion = closestKnownName(column.header);
  const hint = suggestion === undefined ? '' : `; did you mean ${suggestion}?`;
  return `"${column.header}" (${position}${hint}${custom})`;
}

/** When a prefix was taken for no object, which prefixes do name other objects' columns. */
function objectsNote(unknown: UnknownColumn[]): string {
  if (!unknown.some((column) => unknownObjectOf(column.header) !== undefined)) return '';
  return ` A prefix before ":" or "." is ignored only when it names a Zuora object joined by an export (${[...OTHER_OBJECTS.values()].join(', ')}); those columns are not sent.`;
}

const UPDATABLE_LIST = `${UPDATABLE_FIELDS.join(', ')} and custom fields ending in __c`;

/**
 * Maps the header row to the Id column, the columns to send and the columns to ignore (SPEC "Input
 * CSV"). Throws a RunError before anything is sent when a column is unknown (unless
 * `ignoreUnknownColumns`), the Id column is missing, no updatable column is present, or two columns
 * name the same field.
 */
export function matchColumns(header: string[], options: { ignoreUnknownColumns: boolean }): ColumnMap {
  const idIndexes: number[] = [];
  const fields: FieldColumn[] = [];
  const ignored: string[] = [];
  const unknown: UnknownColumn[] = [];
  const resultColumnIndexes: number[] = [];

  const isResultColumn = resultColumnTest(header);
  header.forEach((cell, index) => {
    const text = cell.trim();
    if (text === '') {
      // Spreadsheets add empty trailing columns; a column without a name cannot be a misspelled field.
      ignored.push(`(column ${index + 1}, no header)`);
      return;
    }
    if (isResultColumn(text)) {
      resultColumnIndexes.push(index);
      return;
    }
    const custom = customFieldOf(text);
    if (custom !== undefined) {
      fields.push({ index, header: text, field: custom });
      return;
    }
    const key = normalizeHeader(text);
    const field = FIELD_KEYS.get(key);
    if (field === ID) idIndexes.push(index);
    else if (field !== undefined) fields.push({ index, header: text, field });
    else if (READ_ONLY_KEYS.has(key) || isOtherObjectColumn(text)) ignored.push(text);
    else unknown.push({ index, header: text });
  });

  if (unknown.length > 0 && !options.ignoreUnknownColumns) {
    const plural = unknown.length > 1;
    throw new RunError(
      'UNKNOWN_COLUMN',
      `Unknown column${plural ? 's' : ''} in the header: ${unknown.map(describeUnknown).join(', ')}. ` +
        `Columns that can be updated are ${UPDATABLE_LIST}.${objectsNote(unknown)} Rename or remove ${plural ? 'these columns' : 'this column'}, ` +
        `or pass --ignore-unknown-columns to skip ${plural ? 'them' : 'it'} (${plural ? 'their' : 'its'} cells are then not sent).`,
    );
  }

  const idIndex = idIndexes[0];
  if (idIndex === undefined) {
    const lookalikes = unknown.filter((column) => closestKnownName(column.header) === ID);
    const hint =
      lookalikes.length > 0
        ? ` The unknown ${lookalikes.map(describeUnknown).join(', ')} was skipped because of --ignore-unknown-columns.`
        : '';
    throw new RunError(
      'MISSING_COLUMN',
      `The header has no usage Id column. Accepted spellings: Id, ID, Usage ID, Usage.Id, Usage: ID, UsageId ` +
        `(case, spaces, _ - . : do not matter).${hint}`,
    );
  }

  const duplicates = findDuplicates(header, idIndexes, fields);
  if (duplicates.length > 0) {
    throw new RunError(
      'DUPLICATE_COLUMN',
      `Several columns name the same field: ${duplicates.join('; ')}. Keep one column per field.`,
    );
  }

  if (fields.length === 0) {
    throw new RunError(
      'MISSING_COLUMN',
      `The header has no column to update: add at least one of ${UPDATABLE_FIELDS.join(', ')} or a custom field ending in __c.`,
    );
  }

  return {
    idIndex,
    fields,
    ignored,
    unknown: unknown.map((column) => column.header),
    resultColumnIndexes,
  };
}

function findDuplicates(header: string[], idIndexes: number[], fields: FieldColumn[]): string[] {
  const groups = new Map<string, { field: string; indexes: number[] }>();
  const add = (key: string, field: string, index: number): void => {
    const group = groups.get(key) ?? { field, indexes: [] };
    group.indexes.push(index);
    groups.set(key, group);
  };
  for (const index of idIndexes) add(ID, ID, index);
  // Zuora custom field names are unique regardless of case, so `Region__c` and `region__c` clash.
  for (const column of fields) add(/__c$/i.test(column.field) ? column.field.toLowerCase() : column.field, column.field, column.index);
  const clashes: string[] = [];
  for (const { field, indexes } of groups.values()) {
    if (indexes.length < 2) continue;
    const listed = indexes.map((i) => `"${(header[i] ?? '').trim()}" (column ${i + 1})`).join(' and ');
    clashes.push(`${listed} ${indexes.length === 2 ? 'both' : 'all'} map to ${field}`);
  }
  return clashes;
}
