import type { ColumnMap, FieldColumn } from '../input/columns.js';
import { compareDateTimes, normalizeDateTime, type DateFormat } from './date-time.js';
import { parseQuantity } from './quantity.js';

/**
 * The fields a row sets: field name -> value as sent, in column order. A field of `NUMBER_FIELDS` holds
 * the JSON number literal of the user's digits (`1.50`), any other its text; the transport writes the
 * JSON once (send/usage-json.ts), and the stages that compare with Zuora read the values as they are.
 */
export type UsageFields = Readonly<Record<string, string>>;

/** Fields sent as JSON numbers: their value in `UsageFields` is a checked number literal (quantity.ts). */
export const NUMBER_FIELDS: ReadonlySet<string> = new Set(['Quantity']);

/** A row turned into the update it stands for, or the reason it is `invalid` and never sent. */
export type MappedRow =
  | {
      ok: true;
      /** The usage Id, trimmed: 32 ASCII letters or digits, safe in a URL path. */
      id: string;
      /** What the row sets, in column order. */
      fields: UsageFields;
      /** Date-time cells written with a time but no seconds (`23:59`, sent as `23:59:00`); absent when none. */
      noSeconds?: number;
    }
  | {
      ok: false;
      /** The Id cell as read, trimmed (possibly empty or not a valid id). */
      id: string;
      /** Every problem of the row, each naming the column as written, joined with "; ". */
      message: string;
    };

/** How cells are read. */
export interface MapRowOptions {
  /** Also accept this spreadsheet date order besides ISO (`--date-format`); ISO only by default. */
  dateFormat?: DateFormat;
  /** `--decimal-comma`: quantities are written `42,5` (quantity.ts says which `.` is still accepted). */
  decimalComma?: boolean;
}

const RBE_STATUSES = ['Importing', 'Pending', 'Processed'] as const;
const ID_LENGTH = 32;
/** Long cells are cut in messages, which end up in a spreadsheet cell. */
const MAX_QUOTED_LENGTH = 60;
const REEXPORT = '; export the ids again and keep the column as text (import it as Text, not General)';

/**
 * Checks a usage Id cell: exactly 32 ASCII letters or digits after trimming. Explains the damage a
 * spreadsheet does to ids it takes for numbers (scientific notation, lost digits).
 */
export function validateId(text: string): { ok: true; id: string } | { ok: false; message: string } {
  const id = text.trim();
  if (/^[A-Za-z0-9]{32}$/.test(id)) {
    // 32 digits ending in 17 zeros is what a spreadsheet leaves of a long id: it keeps 15 digits.
    if (/^\d{15}0{17}$/.test(id)) {
      return { ok: false, message: `Id ${quote(id)} looks rounded by a spreadsheet (only its first 15 digits are kept)${REEXPORT}` };
    }
    return { ok: true, id };
  }
  if (id === '') return { ok: false, message: 'Id is empty: expected the 32-character Zuora usage id' };
  if (/^[+-]?\d+([.,]\d+)?E[+-]?\d+$/i.test(id)) {
    return {
      ok: false,
      message: `Id ${quote(id)} was turned into a number in scientific notation by a spreadsheet, which loses its digits${REEXPORT}`,
    };
  }
  if (/^\d+([.,]0+)?$/.test(id)) {
    return {
      ok: false,
      message: `Id ${quote(id)} has ${id.replace(/[.,]0+$/, '').length} digits instead of 32: a spreadsheet probably read it as a number and dropped leading zeros or digits${REEXPORT}`,
    };
  }
  const strange = [...new Set(id.replace(/[A-Za-z0-9]/g, ''))].map((char) => JSON.stringify(char)).join(' ');
  const found = strange === '' ? `${id.length} characters` : `${id.length} characters including ${strange}`;
  return { ok: false, message: `Id ${quote(id)} is not a Zuora usage id: expected exactly ${ID_LENGTH} letters or digits, found ${found}` };
}

/**
 * Validates one input row and reads the fields it sets (SPEC "Row validation"). Pure: the same cells
 * give the same fields on any host. An empty or blank cell means "leave unchanged" and is not sent.
 */
export function mapRow(cells: string[], columns: ColumnMap, options: MapRowOptions = {}): MappedRow {
  const idCell = (cells[columns.idIndex] ?? '').trim();
  const problems: string[] = [];
  const idResult = validateId(idCell);
  if (!idResult.ok) problems.push(idResult.message);

  const fields: Record<string, string> = {};
  let fieldCount = 0;
  const dates: { start?: DateCell; end?: DateCell } = {};
  let noSeconds = 0;
  for (const column of columns.fields) {
    const cell = cells[column.index] ?? '';
    if (cell.trim() === '') continue;
    const checked = checkField(column, cell, options);
    if (!checked.ok) {
      problems.push(`${column.header} ${quote(cell.trim())} ${checked.message}`);
      continue;
    }
    if (checked.noSeconds) noSeconds++;
    fields[column.field] = checked.value;
    fieldCount++;
    if (column.field === 'StartDateTime') dates.start = { column, cell, value: checked.value };
    if (column.field === 'EndDateTime') dates.end = { column, cell, value: checked.value };
  }

  if (dates.start !== undefined && dates.end !== undefined) {
    const order = compareDateTimes(dates.end.value, dates.start.value);
    if (order !== undefined && order < 0) {
      problems.push(
        `${dates.end.column.header} ${quote(dates.end.cell.trim())} is before ${dates.start.column.header} ${quote(dates.start.cell.trim())}`,
      );
    }
  }

  if (problems.length === 0 && fieldCount === 0) {
    const names = columns.fields.map((column) => column.header).join(', ');
    problems.push(`nothing to update: ${names} ${columns.fields.length === 1 ? 'is' : 'are all'} empty`);
  }
  if (problems.length > 0) return { ok: false, id: idCell, message: problems.join('; ') };
  return noSeconds > 0 ? { ok: true, id: idCell, fields, noSeconds } : { ok: true, id: idCell, fields };
}

interface DateCell {
  column: FieldColumn;
  cell: string;
  value: string;
}

/** A cell as sent: its text, or for a NUMBER_FIELDS field the JSON number literal. */
type Checked = { ok: true; value: string; noSeconds?: true } | { ok: false; message: string };

function checkField(column: FieldColumn, cell: string, options: MapRowOptions): Checked {
  switch (column.field) {
    case 'Quantity': {
      const quantity = parseQuantity(cell, { decimalComma: options.decimalComma });
      return quantity.ok ? { ok: true, value: quantity.json } : quantity;
    }
    case 'StartDateTime':
    case 'EndDateTime': {
      const dateTime = normalizeDateTime(cell, options);
      if (!dateTime.ok) return dateTime;
      return dateTime.noSeconds ? { ok: true, value: dateTime.value, noSeconds: true } : text(dateTime.value);
    }
    case 'UOM':
      // Units of measure are matched against the tenant's list, where stray spreadsheet spaces never match.
      return text(cell.trim());
    case 'RbeStatus': {
      const status = RBE_STATUSES.find((name) => name.toLowerCase() === cell.trim().toLowerCase());
      return status !== undefined
        ? text(status)
        : { ok: false, message: `is not a usage status: expected ${RBE_STATUSES.join(', ')}` };
    }
    default:
      // Custom fields are sent exactly as written: their meaning, spaces included, is the tenant's.
      return text(cell);
  }
}

function text(value: string): Checked {
  return { ok: true, value };
}

function quote(value: string): string {
  const shown = value.length > MAX_QUOTED_LENGTH ? `${value.slice(0, MAX_QUOTED_LENGTH)}…` : value;
  return JSON.stringify(shown);
}
