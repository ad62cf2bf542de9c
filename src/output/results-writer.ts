import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { RunError } from '../errors.js';
import { RESULT_COLUMNS, type ResultCounts, type RowOutcome } from '../row-outcome.js';
import { createRoom, type Room } from '../send/room.js';
import { csvCells, csvLine } from './csv-line.js';
import { spreadsheetSafe } from './spreadsheet-safe.js';
import { IdSet } from '../rows/id-case.js';

/** The output files (results, and failures unless `--preview`) and how they are written. */
export interface ResultsWriterOptions {
  /** Results CSV path: every record, in input order. */
  outPath: string;
  /** Failures CSV path: rows not `updated`/`valid`, and the later rows of their `Id`. None when undefined (`--preview`). */
  failuresPath: string | undefined;
  /** Input header, without result columns of an earlier run. */
  header: string[];
  /** Columns added to the input's (`--preview`'s `before_<Field>` and `changes`); each outcome brings their cells. */
  extraColumns?: string[];
  /**
   * For each extra column, the 0-based position of the input column it follows (ascending); by default
   * every extra column follows the last input column, before the result columns.
   */
  extraAfter?: number[];
  /** The input's delimiter, so the files open like the input did. */
  delimiter: string;
  /** Start both files with a UTF-8 BOM (when the input had one, for Excel). */
  bom: boolean;
  /** End lines like the input (CRLF in, CRLF out). Default `\n`. */
  lineEnd?: '\n' | '\r\n';
  /** Called once if a file cannot be written any more (disk full, ...): the run should stop early. */
  onWriteError?: (error: Error, path: string) => void;
  /**
   * Most finished outcomes held back while an earlier row is still running. Beyond it `hasRoom()` says
   * no and the sender waits for `room()`. Default 10000.
   */
  maxBuffered?: number;
}

/**
 * The results writer; as a `Room`, `hasRoom()` is false while the reorder buffer or either file is full
 * (the sender should wait), and `room()` resolves once an earlier row's outcome empties the buffer or
 * the files drain.
 */
export interface ResultsWriter extends Room {
  /** Takes outcomes in any order; writes each as soon as every earlier record is written. */
  add(outcome: RowOutcome): void;
  /** Outcomes written so far, per result. */
  readonly counts: Readonly<ResultCounts>;
  /** Outcomes written to the failures file. */
  readonly failuresWritten: number;
  /**
   * Writes what is still held (in input order, skipping records that never finished because the run
   * stopped early), then flushes and closes both files.
   */
  close(): Promise<void>;
}

/**
 * Opens both files (failing with OUTPUT_UNWRITABLE before anything is sent) and writes their headers.
 */
export async function createResultsWriter(options: ResultsWriterOptions): Promise<ResultsWriter> {
  const extra = options.extraColumns ?? [];
  const placeExtra = placeExtraCells(options.header.length, extra.length, options.extraAfter);
  const columns = [...placeExtra(options.header, extra), ...RESULT_COLUMNS];
  const maxBuffered = options.maxBuffered ?? 10_000;
  const held = new Map<number, RowOutcome>();
  const room = createRoom(() => held.size < maxBuffered && !results.needsDrain && !failures?.needsDrain);
  const onRoom = (): void => room.check();
  const results = await openCsv(options.outPath, columns, options, onRoom);
  const failures = options.failuresPath === undefined ? undefined : await openCsv(options.failuresPath, columns, options, onRoom);
  const failedIds = new IdSet();
  const counts: ResultCounts = { updated: 0, failed: 0, unknown: 0, invalid: 0, valid: 0 };
  let next = 0;
  let failuresWritten = 0;

  const write = (outcome: RowOutcome): void => {
    const cells = extra.length > 0 ? placeExtra(outcome.cells, extra.map((_, i) => outcome.extraCells?.[i] ?? '')) : outcome.cells;
    const line = `${csvCells(cells, options.delimiter, resultCells(outcome))}${options.lineEnd ?? '\n'}`;
    counts[outcome.result] = (counts[outcome.result] ?? 0) + 1;
    results.write(line);
    if (!failures) return;
    const notDone = outcome.result !== 'updated' && outcome.result !== 'valid' && outcome.result !== 'unchanged';
    // Later rows of an Id that failed go along, so re-running the failures file keeps the last row winning.
    if (notDone || failedIds.has(outcome.id)) {
      if (notDone && outcome.id !== '') failedIds.add(outcome.id);
      failures.write(line);
      failuresWritten++;
    }
  };

  return {
    add(outcome) {
      if (outcome.seq !== next) {
        held.set(outcome.seq, outcome);
        return;
      }
      write(outcome);
      next++;
      for (let waiting = held.get(next); waiting; waiting = held.get(next)) {
        held.delete(next);
        write(waiting);
        next++;
      }
      room.check();
    },
    hasRoom: room.hasRoom,
    room: room.room,
    counts,
    get failuresWritten() {
      return failuresWritten;
    },
    async close() {
      for (const seq of [...held.keys()].sort((a, b) => a - b)) write(held.get(seq) as RowOutcome);
      held.clear();
      await Promise.all([finish(results), failures && finish(failures)]);
    },
  };
}

/**
 * Puts the extra cells among a row's input cells: each after the input cell at its position in
 * `after` (ascending), the rest after the last input cell (a record with fewer cells than the header
 * is padded to the header's width first, so the extra cells stay under their headers).
 */
function placeExtraCells(width: number, count: number, after: readonly number[] | undefined): (cells: readonly string[], extra: readonly string[]) => string[] {
  if (count === 0) return (cells) => [...cells];
  const positions = Array.from({ length: count }, (_, i) => Math.min(after?.[i] ?? width - 1, width - 1));
  return (cells, extra) => {
    const row: string[] = [];
    let next = 0;
    for (let i = 0; i < Math.max(width, cells.length); i++) {
      row.push(cells[i] ?? '');
      while (next < count && positions[next] === i) row.push(extra[next++] ?? '');
    }
    while (next < count) row.push(extra[next++] ?? '');
    return row;
  };
}

function resultCells(outcome: RowOutcome): string[] {
  if (outcome.recorded) return outcome.recorded;
  return [
    outcome.result,
    spreadsheetSafe(outcome.errorCode),
    spreadsheetSafe(outcome.errorMessage),
    outcome.httpStatus === undefined ? '' : String(outcome.httpStatus),
    String(outcome.attempts),
    outcome.trackId ?? '',
    spreadsheetSafe(outcome.requestId),
    String(outcome.line),
  ];
}

/**
 * Rows are turned into CSV text at once (one string, so that nothing else of the row lives on) and
 * written a batch at a time: a stream write per row costs more than the row.
 */
const BATCH_ROWS = 256;
/** Longest a finished row waits for its batch before it is written anyway. */
const BATCH_MS = 100;

interface CsvFile {
  file: WriteStream;
  /** One record's CSV text (csvLine). */
  write(line: string): void;
  flush(): void;
  readonly needsDrain: boolean;
}

/** `onRoom` is called whenever the file may have room again: it drained, or it failed and takes no more. */
async function openCsv(path: string, columns: string[], options: ResultsWriterOptions, onRoom: () => void): Promise<CsvFile> {
  const file = createWriteStream(path);
  try {
    await once(file, 'open');
  } catch (error) {
    throw new RunError(
      'OUTPUT_UNWRITABLE',
      `Cannot write ${path}: ${(error as Error).message}. Choose another path with --out / --failures.`,
      { cause: error },
    );
  }
  let reported = false;
  file.on('error', (error) => {
    if (reported) return;
    reported = true;
    // The file stream closes itself; the run stops early and later rows are dropped here.
    options.onWriteError?.(error, path);
  });
  file.on('drain', onRoom).on('close', onRoom);
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0 || file.destroyed) return;
    file.write(pending.join(''));
    pending = [];
  };
  file.write(`${options.bom ? '\uFEFF' : ''}${csvLine(columns, options.delimiter, options.lineEnd)}`);
  return {
    file,
    write(line) {
      pending.push(line);
      if (pending.length >= BATCH_ROWS) flush();
      else timer ??= setTimeout(flush, BATCH_MS).unref();
    },
    flush,
    get needsDrain() {
      return file.writableNeedDrain;
    },
  };
}

async function finish({ file, flush }: CsvFile): Promise<void> {
  flush();
  if (file.closed || file.destroyed) return;
  const closed = once(file, 'close');
  file.end();
  await closed;
}
