import type { InputEncoding } from '../../src/input/encodings.js';
import { readRows, type InputRecord, type InputTable } from '../../src/input/read-rows.js';
import { RunError } from '../../src/errors.js';
import { fileWith } from './temp-dir.js';

export { fileWith };

/** Opens `content` as an input and reads all its records. */
export async function readAll(
  content: string | Buffer,
  options?: { delimiter?: string; encoding?: InputEncoding },
): Promise<Omit<InputTable, 'records'> & { records: InputRecord[] }> {
  const table = await readRows(await fileWith(content), options);
  const records: InputRecord[] = [];
  for await (const record of table.records) records.push(record);
  return { ...table, records };
}

/** Records as [line, cells, parseError?] for compact expectations. */
export function brief(records: InputRecord[]): Array<[number, string[]] | [number, string[], string]> {
  return records.map((record) => (record.parseError === undefined ? [record.line, record.cells] : [record.line, record.cells, record.parseError]));
}

/** The RunError `promise` rejects with; fails when it resolves or rejects with anything else. */
export async function runError(promise: Promise<unknown>): Promise<RunError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RunError) return error;
    throw error;
  }
  throw new Error('expected a RunError');
}
