import type { InputEncoding } from '../input/encodings.js';
import { readRows } from '../input/read-rows.js';
import { IdTable } from '../resume/id-table.js';

/**
 * `--preview`'s first pass over the input: how many rows each Id has (the Id cell trimmed, as the
 * mapping reads it; malformed records and empty Ids left out), so that the judge can forget an Id
 * after its last row. Streams the file once more and keeps 32 to 64 bytes an Id, where the judge
 * would keep a few hundred; two Ids sharing a digest only keep their entries a little longer.
 * Undefined when `signal` is aborted first: a partial count would let the judge forget an Id too early.
 */
export async function countRowsPerId(
  path: string,
  options: { delimiter?: string; encoding?: InputEncoding },
  idIndex: number,
  signal?: AbortSignal,
): Promise<IdTable | undefined> {
  const table = await readRows(path, options);
  const counts = new IdTable(true);
  for await (const record of table.records) {
    if (signal?.aborted) return undefined;
    if (record.parseError !== undefined) continue;
    const id = (record.cells[idIndex] ?? '').trim();
    if (id !== '') counts.add(id, (counts.get(id) ?? 0) + 1);
  }
  return signal?.aborted ? undefined : counts;
}
