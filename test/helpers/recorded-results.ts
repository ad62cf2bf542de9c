import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/**
 * The rows a results file (and the `.partial` a killed resume leaves beside it) records so far, reading
 * only whole records: a process killed mid-write leaves a last line cut short.
 */
export function recordedRows(out: string): Array<Record<string, string>> {
  const rows: Array<Record<string, string>> = [];
  for (const path of [out, `${out}.partial`]) {
    if (!existsSync(path)) continue;
    let text = readFileSync(path, 'utf8');
    text = text.slice(0, text.lastIndexOf('\n') + 1);
    if (text === '') continue;
    rows.push(...(parse(text, { columns: true, bom: true, relax_column_count: true, skip_records_with_error: true }) as Array<Record<string, string>>));
  }
  return rows;
}

/** The rows recordedRows finds recorded `updated`. */
export function recordedUpdated(out: string): Array<Record<string, string>> {
  return recordedRows(out).filter((row) => row.result === 'updated');
}
