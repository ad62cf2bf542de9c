import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { InputEncoding } from '../input/encodings.js';
import { readRows } from '../input/read-rows.js';
import { IdTable } from '../resume/id-table.js';

/**
 * `--preview`'s first pass over the input: how many rows each Id has (the Id cell trimmed, as the
 * mapping reads it; malformed records and empty Ids left out), so that the judge can forget an Id
 * after its last row. Streams the file once more and keeps 16 to 24 bytes an Id, where the judge
 * would keep a few hundred; two Ids sharing a digest only keep their entries a little longer. The
 * table is sized from the file's length and its first lines, so that it does not grow (and hold two
 * copies for a moment) on a file of distinct Ids; slots no Id lands in cost no memory.
 * Undefined when `signal` is aborted first: a partial count would let the judge forget an Id too early.
 */
export async function countRowsPerId(
  path: string,
  options: { delimiter?: string; encoding?: InputEncoding },
  idIndex: number,
  signal?: AbortSignal,
): Promise<IdTable | undefined> {
  const table = await readRows(path, options);
  const counts = new IdTable('counts', estimatedRows(path));
  for await (const record of table.records) {
    if (signal?.aborted) return undefined;
    if (record.parseError !== undefined) continue;
    const id = (record.cells[idIndex] ?? '').trim();
    if (id !== '') counts.add(id, (counts.get(id) ?? 0) + 1);
  }
  return signal?.aborted ? undefined : counts;
}

const SAMPLE_BYTES = 64 * 1024;

/** Lines in the file, estimated from its length and the lines in its first 64 KB; 0 when it cannot be read. */
export function estimatedRows(path: string): number {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const sample = Buffer.alloc(Math.min(SAMPLE_BYTES, size));
    const read = readSync(fd, sample, 0, sample.length, 0);
    let lines = 0;
    for (let i = 0; i < read; i++) if (sample[i] === 10) lines++;
    return read === 0 || lines === 0 ? 0 : Math.ceil((size * lines) / read);
  } catch {
    return 0;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
