import { createReadStream, existsSync } from 'node:fs';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { RunError } from '../errors.js';
import { cutTornRecord, inspectResultsFile, mergePartial, openMergedView, openResultsFile, partialPath, type PriorResult, type ResultsFileReader } from './results-file.js';
import { IdTable } from './id-table.js';

/**
 * The send journal, `<out>.journal`: which Ids an unfinished run may have changed in Zuora without the
 * results saying so. A row's entry is written (to the OS, so a `kill -9` cannot lose it) before its
 * first request: entries are noted as rows are admitted to the pool and written together, in one
 * write, when the first request of a row not yet written is about to leave. A later `--resume`
 * compares the entries with the records that run wrote, and every Id with a send that was never
 * recorded is sent again in full from the current input, even when the row sent has since been
 * deleted from the file.
 *
 * Text, one entry a line, Ids as IdTable digests:
 *   `dirty <digest>`        an Id whose value in Zuora the results do not tell (carried over)
 *   `run <out|partial>`     a run starts; its records go to the results file or to `<out>.partial`
 *   `send <line> <digest> [+]`  that run is about to send the row of input line `line` (`+`: the
 *                           earlier results held records after that line)
 * A run that finishes with every row recorded removes the journal; one that does not leaves it for the
 * next `--resume`, which folds it into `dirty` entries (`consolidateJournal`).
 */

/** The send journal of a results file: `<out>.journal`. */
export function journalPath(out: string): string {
  return `${out}.journal`;
}

/** Appends this run's entries. */
export interface SendJournal {
  /**
   * Notes that the row of `line` with this Id will be sent (rows in input order); `writtenThrough`
   * puts it on the OS. `recordsAhead`: the earlier results hold records after this line (which this
   * send may outdate).
   */
  willSend(line: number, id: string, recordsAhead?: boolean): void;
  /**
   * Call before the first request carrying the row of `line` leaves: unless that row's entry is
   * written already, writes every entry noted so far, synchronously, in one write.
   */
  writtenThrough(line: number): void;
  close(): void;
}

/**
 * Opens the journal for a run writing its records to `target` (the results file, or `<out>.partial`
 * for a resumed run), after the `dirty` entries carried over: call `consolidateJournal` first.
 */
export function openSendJournal(out: string, target: 'out' | 'partial'): SendJournal {
  const path = journalPath(out);
  let fd: number;
  try {
    fd = openSync(path, 'a');
    writeSync(fd, `run\t${target}\n`);
    fsyncSync(fd);
  } catch (error) {
    throw new RunError('OUTPUT_UNWRITABLE', `Cannot write ${path}: ${(error as Error).message}. Choose another --out.`, { cause: error });
  }
  let open = true;
  let pending = '';
  let pendingThrough = 0;
  let writtenLine = 0;
  return {
    willSend(line, id, recordsAhead = false) {
      pending += `send\t${line}\t${IdTable.digest(id)}${recordsAhead ? '\t+' : ''}\n`;
      pendingThrough = line;
    },
    writtenThrough(line) {
      if (line <= writtenLine || pending === '' || !open) return;
      // Synchronous on purpose: the request must not leave before its entry is written. One write for
      // every row admitted so far: the pool takes rows ahead, so most requests find theirs written.
      writeSync(fd, pending);
      pending = '';
      writtenLine = pendingThrough;
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}

/** Removes the journal: every send of the run is in its results. */
export async function removeJournal(out: string): Promise<void> {
  await rm(journalPath(out), { force: true });
}

/** Ids the journal says Zuora may hold another value for than the results tell. */
export async function readDirtyIds(out: string, into: IdTable): Promise<void> {
  const path = journalPath(out);
  if (!existsSync(path)) return;
  for await (const text of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    const [kind, value] = text.split('\t');
    if (kind === 'dirty' && value !== undefined) into.setDigest(Number(value));
  }
}

/**
 * Folds what an unfinished run left (its journal section, its records, a partial) into `dirty`
 * entries and merges the partial into the results, so that the results and the journal together say
 * which Ids need sending again. Safe to repeat after a crash at any point: the new journal is written
 * (and renamed into place) before the partial is merged.
 *
 * An Id stays or becomes dirty when
 * - a send of it in the run's section has no record at its line in that run's own output (the request
 *   may have been applied and never recorded), or
 * - it was dirty, and the run did not get to send it, or
 * - its last recorded send is at line L while the results hold a row of it after L (the later row's
 *   `updated` is no longer what Zuora holds).
 */
export async function consolidateJournal(out: string): Promise<void> {
  const path = journalPath(out);
  if (!existsSync(path)) {
    await mergePartial(out);
    return;
  }
  const dirty = new IdTable();
  const unresolved = new IdTable();
  const resolvedAt = new IdTable(true);
  let reader: ResultsFileReader | undefined;
  let current: PriorResult | undefined;
  try {
    for await (const text of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
      const [kind, a, b, ahead] = text.split('\t');
      if (kind === 'dirty' && a !== undefined) dirty.setDigest(Number(a));
      else if (kind === 'run') {
        await reader?.close();
        reader = await openOwnRecords(a === 'partial' ? partialPath(out) : out);
        current = await reader?.next();
      } else if (kind === 'send' && a !== undefined && b !== undefined) {
        const line = Number(a);
        const digest = Number(b);
        if (!Number.isSafeInteger(line) || !Number.isSafeInteger(digest)) continue;
        while (reader && current !== undefined && current.line < line) current = await reader.next();
        // A recorded send matters later only if older records of its Id may follow it, or it was dirty:
        // so memory holds those, not every row the run sent.
        if (current?.line !== line) unresolved.setDigest(digest);
        else if (ahead === '+' || dirty.hasDigest(digest)) resolvedAt.setDigest(digest, line);
      }
      // Anything else is a line torn by a kill while it was written: its request had not left.
    }
  } finally {
    await reader?.close();
  }

  const laterRows = new IdTable();
  if (resolvedAt.size > 0 && (await inspectResultsFile(out, true)) === 'results') {
    await cutTornRecord(out);
    const view = await openMergedView(out);
    try {
      for (let record = await view.next(); record !== undefined; record = await view.next()) {
        const digest = IdTable.digest(record.id);
        const at = resolvedAt.getDigest(digest);
        if (at !== undefined && record.line > at) laterRows.setDigest(digest);
      }
    } finally {
      await view.close();
    }
  }

  const lines: string[] = [];
  const stillDirty = (digest: number): boolean => !resolvedAt.hasDigest(digest) || unresolved.hasDigest(digest) || laterRows.hasDigest(digest);
  const kept = new IdTable();
  for (const table of [dirty, unresolved, laterRows]) {
    for (const digest of table.digests()) {
      if (kept.hasDigest(digest) || (table === dirty && !stillDirty(digest))) continue;
      kept.setDigest(digest);
      lines.push(`dirty\t${digest}\n`);
    }
  }
  const next = `${path}.next`;
  await writeFile(next, lines.join(''));
  const handle = openSync(next, 'r+');
  fsyncSync(handle);
  closeSync(handle);
  await rename(next, path);
  await mergePartial(out);
}

/** The records a run wrote itself, to check its journal entries against; undefined when there are none. */
async function openOwnRecords(path: string): Promise<ResultsFileReader | undefined> {
  // Not a results file (a run that wrote nothing yet): none of its sends is recorded.
  const state = await inspectResultsFile(path, true);
  if (state !== 'results') return undefined;
  await cutTornRecord(path);
  return openResultsFile(path);
}
