/**
 * Memory of one per-Id table holding 1,000,000 distinct Ids (issue 21), measured alone:
 *   node --expose-gc dist/bench/per-id-memory.js <idset|idtable|counts|times-1000|id-sequences> [ids]
 * Prints the live heap and the typed arrays it keeps after a full collection, and the process's peak
 * RSS (which includes a table's growth: old and new arrays at once).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTimes1000Tracker } from '../src/read/times-1000.js';
import { IdSequences } from '../src/resume/id-sequences.js';
import { IdTable } from '../src/resume/id-table.js';
import { IdSet } from '../src/rows/id-case.js';
import { usageId } from './corrections-file.js';

const which = process.argv[2] ?? 'idtable';
const ids = Number(process.argv[3] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const settle = async (): Promise<NodeJS.MemoryUsage> => {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 50));
  gc();
  return process.memoryUsage();
};
const before = await settle();
let keep: unknown;
if (which === 'idset') {
  const set = new IdSet();
  for (let i = 0; i < ids; i++) set.add(usageId(i));
  keep = set;
} else if (which === 'idtable' || which === 'counts') {
  const table = new IdTable(which === 'counts' ? 'counts' : true);
  for (let i = 0; i < ids; i++) table.add(usageId(i), 1);
  keep = table;
} else if (which === 'times-1000') {
  const tracker = createTimes1000Tracker();
  for (let i = 0; i < ids; i++) tracker.judge(usageId(i), { Quantity: '12.5', UOM: 'Each' }, { Quantity: '3.25', UOM: 'Each' });
  keep = tracker;
} else if (which === 'id-sequences') {
  const scratch = mkdtempSync(join(tmpdir(), 'per-id-memory-'));
  const sequences = new IdSequences(join(scratch, 'kept-rows'));
  for (let i = 0; i < ids; i++) {
    const id = usageId(i);
    sequences.addRecorded(id, [id, 'A1', '1.5', '2026-03-01', '2026-03-01', 'Each'], i % 2 ? { resultCells: ['updated', '1', '', ''] } : undefined);
  }
  sequences.judge(new IdTable());
  keep = sequences;
  process.on('exit', () => {
    sequences.close();
    rmSync(scratch, { recursive: true, force: true });
  });
} else throw new Error(`unknown table "${which}"`);
(globalThis as Record<string, unknown>).kept = keep;
const after = await settle();
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
process.stdout.write(
  `${which}, ${ids} Ids: heap +${mb(after.heapUsed - before.heapUsed)} MB, typed arrays +${mb(after.arrayBuffers - before.arrayBuffers)} MB ` +
    `(${(((after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers) / ids) | 0) || 0} bytes an Id); peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} MB\n`,
);
