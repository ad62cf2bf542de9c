import type { Logger } from 'pino';
import { RunError } from '../errors.js';
import { checkBlankHeaderColumns } from '../input/blank-header-columns.js';
import { checkStructure } from '../input/check-structure.js';
import { matchColumns, type ColumnMap } from '../input/columns.js';
import { readRows, type InputTable } from '../input/read-rows.js';
import { DECIMAL_COMMA_DELIMITER, type RunOptions } from '../options.js';
import { checkActionsColumns } from '../send/actions-transport.js';

/** The input file, opened and checked before anything is written or sent. */
export interface RunInput {
  table: InputTable;
  columns: ColumnMap;
  /** Input records, all of them (the structure pre-scan counts them). */
  records: number;
  /** Positions of the input columns echoed in the outputs: all but the result columns of an earlier run. */
  keptColumns: number[];
  /** The header of those columns. */
  header: string[];
  /** The updatable fields the input has a column for, in input order (look before you leap). */
  fields: string[];
}

/** Reads the header, matches the columns and checks the file's structure: a bad file is a RunError before anything else. */
export async function openInput(options: RunOptions, logger: Logger): Promise<RunInput> {
  const table = await readRows(options.input, { delimiter: options.delimiter, encoding: options.encoding });
  if (options.decimalComma && table.delimiter === ',') throw new RunError('BAD_OPTION', `${DECIMAL_COMMA_DELIMITER} (${options.input} is separated by ,)`);
  const columns = matchColumns(table.header, { ignoreUnknownColumns: options.ignoreUnknownColumns });
  if (options.transport === 'actions') checkActionsColumns(columns.fields);
  const structure = await checkStructure(table);
  await checkBlankHeaderColumns(options.input, table.header, { delimiter: options.delimiter, encoding: options.encoding, ignoreUnknownColumns: options.ignoreUnknownColumns });
  logColumns(logger, columns);
  const keptColumns = keptIndexes(table.header.length, columns);
  return {
    table,
    columns,
    records: structure.records,
    keptColumns,
    header: keptColumns.map((i) => table.header[i] ?? ''),
    fields: columns.fields.map((column) => column.field),
  };
}

/** Input columns echoed in the outputs: all but the result columns of an earlier run. */
function keptIndexes(width: number, columns: ColumnMap): number[] {
  const dropped = new Set(columns.resultColumnIndexes);
  return Array.from({ length: width }, (_, i) => i).filter((i) => !dropped.has(i));
}

function logColumns(logger: Logger, columns: ColumnMap): void {
  const sent = columns.fields.map((f) => (f.header === f.field ? f.field : `${f.header} as ${f.field}`));
  const parts = [`sending ${sent.join(', ')}`];
  if (columns.ignored.length > 0) parts.push(`not sending (read-only or other objects) ${columns.ignored.join(', ')}`);
  if (columns.unknown.length > 0) parts.push(`carrying unknown columns along ${columns.unknown.join(', ')}`);
  logger.info(`columns: ${parts.join('; ')}`);
}
