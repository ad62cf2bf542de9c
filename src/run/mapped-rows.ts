import type { ColumnMap } from '../input/columns.js';
import type { InputRecord, InputTable } from '../input/read-rows.js';
import type { RunOptions } from '../options.js';
import type { RowOutcome } from '../row-outcome.js';
import { mapRow } from '../rows/map-row.js';
import type { SendItem } from '../send/transport.js';
import type { CountedRecords } from './counted-records.js';
import type { InputSigns } from './input-signs.js';

/** What the mapping stage reads and where it records the rows it does not pass on. */
export interface MappingOptions {
  table: InputTable;
  columns: ColumnMap;
  /** Positions of the input cells echoed in the outputs. */
  keptColumns: number[];
  options: RunOptions;
  stopSignal: AbortSignal;
  /** Unreadable records and invalid rows. */
  record: (outcome: RowOutcome) => void;
  signs?: InputSigns;
  /** Told synchronously of each valid row as it is passed on (a fresh run's send journal notes it). */
  onValid?: (item: SendItem) => void;
}

/**
 * Reads and maps the input until the run stops: unreadable records and invalid rows are recorded
 * here, valid rows are passed on with their request.
 */
export async function* mappedRows(records: CountedRecords, mapping: MappingOptions): AsyncGenerator<SendItem> {
  const { table, columns, keptColumns, options, stopSignal, record, signs, onValid } = mapping;
  for (;;) {
    // Checked before each record: once the run stops, no record is read, mapped or recorded.
    if (stopSignal.aborted) return;
    const input = await records.next();
    if (input === undefined) return;
    const item = mapRecord(input, table, columns, keptColumns, options, record, signs);
    if (!item) continue;
    onValid?.(item);
    yield item;
  }
}

function mapRecord(
  input: InputRecord,
  table: InputTable,
  columns: ColumnMap,
  keptColumns: number[],
  options: RunOptions,
  record: (outcome: RowOutcome) => void,
  signs: InputSigns | undefined,
): SendItem | undefined {
  const cells = keptColumns.map((i) => input.cells[i] ?? '');
  const base = { seq: input.seq, line: input.line, cells, attempts: 0 };
  if (input.parseError !== undefined) {
    // Cells beyond the header have no column in the outputs: the message keeps them, so nothing is lost.
    const extra = input.cells.slice(table.header.length);
    const kept = extra.length > 0 ? `; cells beyond the header: ${extra.map((cell) => JSON.stringify(cell)).join(', ')}` : '';
    record({ ...base, id: (input.cells[columns.idIndex] ?? '').trim(), result: 'invalid', errorCode: 'MALFORMED_RECORD', errorMessage: `line ${input.line}: ${input.parseError}${kept}` });
    return undefined;
  }
  const mapped = mapRow(input.cells, columns, { dateFormat: options.dateFormat, decimalComma: options.decimalComma });
  signs?.note(input.cells, mapped.ok ? (mapped.noSeconds ?? 0) : 0);
  if (!mapped.ok) {
    record({ ...base, id: mapped.id, result: 'invalid', errorCode: 'INVALID_ROW', errorMessage: mapped.message });
    return undefined;
  }
  return { seq: input.seq, line: input.line, cells, update: { id: mapped.id, fields: mapped.fields, trackId: `${options.trackPrefix}-${input.line}` } };
}
