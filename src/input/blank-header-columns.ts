import { RunError } from '../errors.js';
import type { InputEncoding } from './encodings.js';
import { readRows } from './read-rows.js';

/**
 * A column with a blank header is usually an empty column a spreadsheet added at the end: harmless.
 * One with data in it is a column whose name was lost, and its cells would silently not be sent: like
 * an unknown column, it stops the run before anything is sent (exit 1), naming the first line, column
 * and value, unless `--ignore-unknown-columns` carries it along. Only a header with a blank cell costs
 * a pass over the file, which stops at the first such cell.
 */
export async function checkBlankHeaderColumns(
  path: string,
  header: readonly string[],
  options: { delimiter?: string; encoding?: InputEncoding; ignoreUnknownColumns: boolean },
): Promise<void> {
  if (options.ignoreUnknownColumns) return;
  const blank = header.flatMap((cell, index) => (cell.trim() === '' ? [index] : []));
  if (blank.length === 0) return;
  const table = await readRows(path, { delimiter: options.delimiter, encoding: options.encoding });
  for await (const record of table.records) {
    const index = blank.find((i) => (record.cells[i] ?? '').trim() !== '');
    if (index === undefined) continue;
    const value = record.cells[index] ?? '';
    throw new RunError(
      'UNKNOWN_COLUMN',
      `Column ${index + 1} has no header but holds data (line ${record.line}: ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}): ` +
        'its cells would not be sent. Give the column its field name (e.g. Quantity), delete the column, ' +
        'or pass --ignore-unknown-columns to carry it along unsent.',
    );
  }
}
