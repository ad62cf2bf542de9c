import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { InputEncoding } from '../input/encodings.js';
import { readRows } from '../input/read-rows.js';
import { inspectResultsFile, openPriorResults, openResultsFile, partialPath, sameCells } from './results-file.js';
import { IdSequences } from './id-sequences.js';
import { IdTable } from './id-table.js';
import { keptRowsPath } from './kept-rows-path.js';
import { checkReadingOptions, defaultReading, type ReadingOptions } from './reading-options.js';
import { checkResumeTarget } from './run-info.js';
import { consolidateJournal, journalPath, openSendJournal, readDirtyIds, removeJournal } from './send-journal.js';

/**
 * Which rows a run sends and which it keeps from an earlier run, and the bookkeeping that lets a later
 * `--resume` tell (SPEC "Resume"): every Id ends at its last row in the current input, whatever
 * happened to the input or to the process since the results were written.
 */

export interface ResumeOptions {
  out: string;
  /** `--resume` was given. */
  resume: boolean;
  /** The tenant this run sends to, as recorded in `<out>.run.json`. */
  target: string;
  /** The current input, read once more (streaming) to compare it with the results. */
  input: string;
  delimiter?: string;
  /** The input's encoding, as the run reads it (`--encoding`). */
  encoding?: InputEncoding;
  /** The options that decide what a cell means, compared with those the earlier run recorded. */
  reading: ReadingOptions;
  /** Input header without result columns of an earlier run, as echoed in the results. */
  header: string[];
  /** Positions of the input cells echoed in the results. */
  keptColumns: number[];
  /** Position of the Id among the input cells. */
  idIndex: number;
  logger: Logger;
}

export interface ResumeSession {
  /** `fresh`: every row is sent and the results file written anew (nothing can be kept); `resumed`: earlier results are judged per Id. */
  kind: 'fresh' | 'resumed';
  /** Where this run writes its results: `out`, or `<out>.partial` while an earlier run's results are read. */
  outPath: string;
  /**
   * For a valid row about to be processed: the result columns an earlier run recorded, when the row
   * need not be sent again; otherwise undefined, and the row is noted in the journal (`beforeSend` writes it).
   * Rows must come in input order. Synchronous: a fresh run asks it for every row, and it costs no promise.
   */
  decide(line: number, id: string, cells: string[]): string[] | undefined;
  /** An input row that is neither sent nor kept (invalid): it still counts among its Id's rows. Rows in input order, with `decide`'s. */
  passed(cells: string[]): void;
  /** Before the first request of the row of `line` (one `decide` sent) leaves: its journal entry is on the OS on return. */
  beforeSend(line: number): void;
  /**
   * After the results writer closed. `complete`: every input row has its record, so those records
   * alone become the results file and the journal goes. Otherwise the journal is folded for the next
   * `--resume` and the records merged into the earlier results.
   */
  finish(complete: boolean): Promise<void>;
  /** Releases files on any exit path; `finish` is not implied. */
  close(): Promise<void>;
}

/**
 * Starts the bookkeeping of a sending run: `startResumed` with `--resume` and earlier results it can
 * trust (same tool, tenant, reading options and columns), otherwise `startFresh`.
 */
export async function startResume(options: ResumeOptions): Promise<ResumeSession> {
  const { out, logger } = options;
  // Left by a run killed while it resumed (checkSideFiles made sure it is this tool's).
  await rm(keptRowsPath(out), { force: true });
  if (!options.resume) return startFresh(out);
  // Throws (leaving every file as it is) when --out is not a results file of this tool.
  await inspectResultsFile(out, false);
  await consolidateJournal(out);
  const priors = await openPriorResults(out);
  if (!priors) return startFresh(out);
  // Only the checks below need the earlier results' header: they are read again, per Id, further down.
  const { header } = priors;
  await priors.close();
  if ((await checkResumeTarget(out, options.target)) === 'unknown') {
    logger.warn({ results: out }, 'no record of which tenant the earlier run used: every row is processed again');
    return startFresh(out);
  }
  // Throws (nothing sent) when a cell would mean something else now. A results file of an earlier version
  // recorded no reading options: with the defaults every cell reads as it did without options, so its
  // rows are judged as usual; with other options its rows may have been read either way: all processed again.
  const reading = await checkReadingOptions(out, options.reading);
  if (reading === 'unrecorded' && !defaultReading(options.reading)) {
    logger.warn({ results: out }, 'no record of the reading options (--date-format, --encoding, ...) of the earlier run: every row is processed again');
    return startFresh(out);
  }
  if (!sameCells(header, options.header)) {
    logger.warn({ results: out }, 'the results file has other columns than the input: every row is processed again');
    return startFresh(out);
  }
  return startResumed(options);
}

/**
 * A run that resumes earlier results it can trust: every Id whose rows are unchanged keeps its recorded
 * results; the others are sent again in full (id-sequences.ts), and the run writes to `<out>.partial`.
 */
async function startResumed(options: ResumeOptions): Promise<ResumeSession> {
  const { out, logger } = options;
  const dirty = new IdTable();
  await readDirtyIds(out, dirty);
  const fromJournal = dirty.size;
  const sequences = new IdSequences(keptRowsPath(out));
  let judged: { changedIds: number; lastLine: number };
  try {
    judged = await judgeIds(options, sequences, dirty);
  } catch (error) {
    sequences.close();
    throw error;
  }
  if (judged.changedIds > 0 || fromJournal > 0) {
    logger.info(
      { changedIds: judged.changedIds, unrecordedSends: fromJournal },
      `${judged.changedIds} Ids of the results changed since they were written or may have been sent without a record ` +
        `(${fromJournal} Ids in the send journal): all their rows are sent again`,
    );
  }
  const journal = openSendJournal(out, 'partial');
  const idAt = options.keptColumns.indexOf(options.idIndex);
  const idOf = (cells: string[]): string => (cells[idAt] ?? '').trim();
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    journal.close();
    sequences.close();
  };
  return {
    kind: 'resumed',
    outPath: partialPath(out),
    decide(line, id, cells) {
      const recorded = sequences.reach(idOf(cells), cells);
      // Kept wherever the row moved: its record now says the line it has in the current input.
      if (recorded) return [...recorded.slice(0, -1), String(line)];
      // A send that later records of the earlier results may outdate (send-journal.ts).
      journal.willSend(line, id, line <= judged.lastLine);
      return undefined;
    },
    passed(cells) {
      sequences.pass(idOf(cells));
    },
    beforeSend(line) {
      journal.writtenThrough(line);
    },
    async finish(complete) {
      close();
      if (complete) {
        // The journal goes first: a crash before the rename leaves a partial that the next run merges.
        await removeJournal(out);
        await rename(partialPath(out), out);
      } else {
        await consolidateJournal(out);
      }
    },
    async close() {
      close();
    },
  };
}

/**
 * A run that sends every row and writes the results file anew. Ids an unfinished run may have sent
 * without a record stay in the journal until this run finishes: killed before it reaches them, the
 * next `--resume` must still send them.
 */
async function startFresh(out: string): Promise<ResumeSession> {
  if (existsSync(journalPath(out))) await consolidateJournal(out);
  // A partial left by a killed resume describes results that are about to be replaced.
  await rm(partialPath(out), { force: true });
  const journal = openSendJournal(out, 'out');
  return {
    kind: 'fresh',
    outPath: out,
    decide(line, id) {
      journal.willSend(line, id);
      return undefined;
    },
    passed() {},
    beforeSend(line) {
      journal.writtenThrough(line);
    },
    async finish(complete) {
      journal.close();
      if (complete) await removeJournal(out);
      else await consolidateJournal(out);
    },
    async close() {
      journal.close();
    },
  };
}

/**
 * Reads the earlier results, then the current input, into `sequences` (per Id: which rows it has, in
 * order) and judges which Ids changed: two streaming passes, memory per Id of the results.
 */
async function judgeIds(options: ResumeOptions, sequences: IdSequences, dirty: IdTable): Promise<{ changedIds: number; lastLine: number }> {
  const results = await openResultsFile(options.out);
  let lastLine = 0;
  try {
    for (let recorded = await results.next(); recorded !== undefined; recorded = await results.next()) {
      sequences.addRecorded(recorded.id, recorded.cells, recorded.result === 'updated' || recorded.result === 'unchanged' ? recorded : undefined);
      lastLine = recorded.line;
    }
  } finally {
    await results.close();
  }
  const input = await readRows(options.input, { delimiter: options.delimiter, encoding: options.encoding });
  for await (const record of input.records) {
    const cells = options.keptColumns.map((i) => record.cells[i] ?? '');
    sequences.addCurrent((record.cells[options.idIndex] ?? '').trim(), cells);
  }
  return { changedIds: sequences.judge(dirty), lastLine };
}
