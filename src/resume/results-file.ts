import { once } from 'node:events';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { open, rename, rm, truncate } from 'node:fs/promises';
import { RunError } from '../errors.js';
import { matchColumns } from '../input/columns.js';
import { readRows } from '../input/read-rows.js';
import { csvLine } from '../output/csv-line.js';
import { RESULT_COLUMNS } from '../row-outcome.js';

/**
 * Resume: what an earlier run recorded, and how a resumed run writes without ever leaving less on disk
 * than there was.
 *
 * A resumed run reads the existing results file and writes its own results to `<out>.partial`. A run
 * that reached every row replaces `<out>` with the partial (so nothing is kept of rows no longer in the
 * input); one that stopped early merges the two (line by line, the newer file winning) and removes the
 * partial. Which rows to send is decided in `start-resume.ts`.
 * Both files are in input order, so reading and merging are streaming joins on the `line` column with
 * constant memory. A `kill -9` at any moment leaves either the old results, or the old results and a
 * partial: the next `--resume` merges them first. A record torn by a kill in the middle of a write is
 * cut off before reading.
 */

/** One record of an earlier run's results file. */
export interface PriorResult {
  line: number;
  /** The input cells as that run read them. */
  cells: string[];
  /** The usage Id cell, trimmed ('' when the header has no Id column). */
  id: string;
  /** The result columns, as text, in RESULT_COLUMNS order. */
  resultCells: string[];
  result: string;
}

export interface PriorResults {
  /** The record for input line `line`, if the earlier run recorded one. Lines must be asked in ascending order. */
  lookup(line: number): Promise<PriorResult | undefined>;
  /** Input header of the earlier run (without result columns). */
  header: string[];
  /** True once no record is left at or after the last line asked: the rest of the input was never recorded. */
  ended(): boolean;
  close(): Promise<void>;
}

/** Where a resumed run writes its own records until the end: `<out>.partial`. */
export function partialPath(out: string): string {
  return `${out}.partial`;
}

/**
 * Prepares a resumed run: merges a partial left by a killed resume into `out`, then opens `out` for
 * lookups. Undefined when there is no results file (then `--resume` is an ordinary run).
 */
export async function openPriorResults(out: string): Promise<PriorResults | undefined> {
  await mergePartial(out);
  if ((await inspectResultsFile(out, false)) !== 'results') return undefined;
  await cutTornRecord(out);
  const reader = await openResultsFile(out);
  let current = await reader.next();
  return {
    header: reader.header,
    async lookup(line) {
      while (current !== undefined && current.line < line) current = await reader.next();
      return current?.line === line ? current : undefined;
    },
    ended: () => current === undefined,
    close: () => reader.close(),
  };
}

/**
 * Merges `<out>.partial` into `<out>` (the partial wins on lines both have), atomically: the merged
 * file is written beside them and renamed over `out`, then the partial is removed. A crash at any point
 * leaves files that a later call merges the same way.
 */
export async function mergePartial(out: string): Promise<void> {
  const partial = partialPath(out);
  const partialState = await inspectResultsFile(partial, true);
  if (partialState === 'absent') return;
  if (partialState === 'torn') {
    await rm(partial, { force: true });
    return;
  }
  await cutTornRecord(partial);
  if ((await inspectResultsFile(out, false)) !== 'results') {
    await rename(partial, out);
    return;
  }
  await cutTornRecord(out);
  const merged = `${out}.merging`;
  const view = await openMergedView(out);
  try {
    // Written as the results writer writes (csvLine): a merged file quotes every cell as the run's own did.
    const lineEnd = view.lineEnd ?? '\n';
    const file = createWriteStream(merged);
    await write(file, `${view.bom ? '\uFEFF' : ''}${csvLine([...view.header, ...RESULT_COLUMNS], view.delimiter, lineEnd)}`);
    let chunk = '';
    for (let record = await view.next(); record !== undefined; record = await view.next()) {
      chunk += csvLine([...record.cells, ...record.resultCells], view.delimiter, lineEnd);
      if (chunk.length < MERGE_CHUNK) continue;
      await write(file, chunk);
      chunk = '';
    }
    file.end(chunk);
    await once(file, 'close');
    const handle = await open(merged, 'r+');
    await handle.sync();
    await handle.close();
  } finally {
    await view.close();
  }
  await rename(merged, out);
  await rm(partial, { force: true });
}

/** Characters of merged records written at once: a stream write per record costs more than the record. */
const MERGE_CHUNK = 64 * 1024;

async function write(file: WriteStream, text: string): Promise<void> {
  if (!file.write(text)) await once(file, 'drain');
}

/**
 * The records of `out` as they will be once `<out>.partial` is merged into it (the partial winning on
 * lines both have), read without writing anything: a streaming join on `line`. Call after cutting
 * torn records of both files; without a usable partial it is just `out`.
 */
export async function openMergedView(out: string): Promise<ResultsFileReader> {
  const partial = partialPath(out);
  const hasPartial = (await inspectResultsFile(partial, true)) === 'results';
  if (!hasPartial) return openResultsFile(out);
  const newer = await openResultsFile(partial);
  const older = (await inspectResultsFile(out, false)) === 'results' ? await openResultsFile(out) : undefined;
  // Records of other columns cannot be joined: the partial alone is what the newer run knew.
  const sameColumns = older !== undefined && sameCells(older.header, newer.header);
  let a = sameColumns ? await older.next() : undefined;
  let b = await newer.next();
  return {
    header: newer.header,
    delimiter: newer.delimiter,
    bom: newer.bom,
    lineEnd: newer.lineEnd,
    async next() {
      if (a === undefined && b === undefined) return undefined;
      if (b === undefined || (a !== undefined && a.line < b.line)) {
        const record = a;
        a = await older!.next();
        return record;
      }
      if (a !== undefined && a.line === b.line) a = await older!.next();
      const record = b;
      b = await newer.next();
      return record;
    },
    async close() {
      await older?.close();
      await newer.close();
    },
  };
}

/**
 * What a file is, before anything is changed in it: `absent` (missing or empty), `torn` (a header
 * that never got its line end: a kill while a run was starting), or `results` (its header ends with
 * the result columns). Any other file is not ours: an error for `--out` (left unchanged), a leftover
 * to drop for our own partial.
 */
export async function inspectResultsFile(path: string, ours: boolean): Promise<'absent' | 'torn' | 'results'> {
  if (!existsSync(path)) return 'absent';
  const handle = await open(path, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(256 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (head.length === 0) return 'absent';
  // No complete line: a run killed while writing its header. (A one-line file of someone else's would be
  // overwritten by a run without --resume just the same.)
  if (!head.includes(0x0a)) return 'torn';
  const { header } = await readRows(path);
  const tail = header.slice(header.length - RESULT_COLUMNS.length);
  if (header.length >= RESULT_COLUMNS.length && sameCells(tail, [...RESULT_COLUMNS])) return 'results';
  if (ours) return 'torn';
  throw notResults(path);
}

function notResults(path: string): RunError {
  return new RunError(
    'BAD_OPTION',
    `--resume: ${path} is not a results file of this tool (its last columns are not ${RESULT_COLUMNS.join(',')}); it was left unchanged. ` +
      'Point --out at the results of the earlier run, or run without --resume.',
  );
}

/** A results file read forward, one whole record at a time, in ascending `line` order. */
export interface ResultsFileReader {
  /** Input header of the run that wrote it (without result columns). */
  header: string[];
  delimiter: string;
  bom: boolean;
  /** How its lines end, kept when it is merged. */
  lineEnd?: '\n' | '\r\n';
  next(): Promise<PriorResult | undefined>;
  close(): Promise<void>;
}

/** Opens a results file of this tool for reading; refuses (BAD_OPTION) a file whose last columns are not the result columns. */
export async function openResultsFile(path: string): Promise<ResultsFileReader> {
  const table = await readRows(path);
  const width = table.header.length;
  const tail = table.header.slice(width - RESULT_COLUMNS.length);
  if (width < RESULT_COLUMNS.length || !sameCells(tail, [...RESULT_COLUMNS])) throw notResults(path);
  const inputWidth = width - RESULT_COLUMNS.length;
  const idIndex = idColumn(table.header.slice(0, inputWidth));
  const lineIndex = width - 1;
  const resultIndex = inputWidth;
  const iterator = table.records[Symbol.asyncIterator]();
  let last = 0;
  return {
    header: table.header.slice(0, inputWidth),
    delimiter: table.delimiter,
    bom: table.bom,
    lineEnd: table.lineEnd,
    async next() {
      for (;;) {
        const step = await iterator.next();
        if (step.done) return undefined;
        const record = step.value;
        if (record.parseError !== undefined || record.cells.length !== width) continue;
        const line = Number(record.cells[lineIndex]);
        // Out-of-order or unreadable line numbers cannot be joined; those rows are simply processed again.
        if (!Number.isSafeInteger(line) || line <= last) continue;
        last = line;
        return {
          line,
          cells: record.cells.slice(0, inputWidth),
          id: idIndex < 0 ? '' : (record.cells[idIndex] ?? '').trim(),
          resultCells: record.cells.slice(inputWidth),
          result: record.cells[resultIndex] ?? '',
        };
      }
    },
    async close() {
      await iterator.return?.();
    },
  };
}

/** Where the usage Id is in a results file's input columns, found as on input; -1 when it has none. */
function idColumn(header: string[]): number {
  try {
    return matchColumns(header, { ignoreUnknownColumns: true }).idIndex;
  } catch {
    return -1;
  }
}

/**
 * A `kill -9` in the middle of a write leaves a last record without its line end. Cut it off: it is
 * not a record of anything, and the row it described is simply processed again. Returns the size kept.
 */
export async function cutTornRecord(path: string): Promise<number> {
  const handle = await open(path, 'r');
  let keep: number;
  try {
    const { size } = await handle.stat();
    if (size === 0) return 0;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] === 0x0a) return size;
    // Scan backwards for the last line end, in chunks.
    const chunk = Buffer.alloc(64 * 1024);
    keep = 0;
    for (let end = size; end > 0 && keep === 0; ) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (at >= 0) keep = start + at + 1;
      end = start;
    }
  } finally {
    await handle.close();
  }
  await truncate(path, keep);
  return keep;
}

/** Whether two records hold the same cells (a row recorded by an earlier run is this input row, unchanged). */
export function sameCells(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((cell, i) => cell === b[i]);
}
