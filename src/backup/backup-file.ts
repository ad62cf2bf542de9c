import { open, readFile, stat, truncate } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { RunError } from '../errors.js';
import { plainDecimalText } from '../read/compare.js';
import type { ReadRecord } from '../read/usage-query.js';
import { csvLine } from '../output/csv-line.js';
import { BackupIds } from './backup-ids.js';

/** The `--backup` file: one row per Id with its values from before this run first changed it. */
export interface BackupFile {
  /** Whether the file already holds this Id (from this run, or from the run that `--resume` continues). */
  has(id: string): boolean;
  /** Whether the file holds this Id and its record was given to `add` in this run (read in this run). */
  readInRun(id: string): boolean;
  /** Appends these records (those of Ids not held yet) and flushes them to disk; resolves only once they are there. */
  add(records: readonly ReadRecord[]): Promise<void>;
  /** Ids held. */
  readonly size: number;
  close(): Promise<void>;
}

export interface BackupFileOptions {
  /** Updatable fields the input has a column for, in input order (canonical names). */
  fields: readonly string[];
  /** The input's delimiter. */
  delimiter: string;
  /** `--resume`: append to an existing backup instead of refusing it. */
  resume: boolean;
  /** `--decimal-comma`: quantities are written `42,5`, the input's convention, so the restore reads them with the same flag. */
  decimalComma?: boolean;
  /** About how many Ids the run may back up (the input's rows, estimated): room for them from the start, so the table of Ids does not grow. */
  expectedIds?: number;
}

/**
 * Checks the backup path and learns the Ids it holds; creates nothing (the file is created by the
 * first `add`, so a run that cannot start leaves no file behind). An existing non-empty file is
 * refused unless `resume`; when resuming, its header must be this input's, and a last record cut short
 * by a kill (never flushed whole, so no update of its Id was sent) is dropped. Only a last record that
 * does not parse is taken as cut short: a complete one without a final newline is kept.
 */
export async function openBackup(path: string, options: BackupFileOptions): Promise<BackupFile> {
  const header = ['Id', ...options.fields];
  const ids = new BackupIds(path, options.delimiter, options.expectedIds);
  let existing = '';
  try {
    if ((await stat(path)).size > 0) existing = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new RunError('OUTPUT_UNWRITABLE', `Cannot read --backup ${path}: ${(error as Error).message}`, { cause: error });
    }
  }
  let needsHeader = true;
  let lineOpen = false;
  if (existing !== '') {
    if (!options.resume) {
      throw new RunError(
        'BAD_OPTION',
        `--backup ${path} already exists and is not empty: it may be the only copy of values from an earlier run. Choose another --backup file, or pass --resume to continue that run's backup.`,
      );
    }
    const whole = keptText(existing, header.length, options.delimiter);
    if (whole.length < existing.length) await truncate(path, Buffer.byteLength(whole));
    // A complete last record saved without its final newline (as some editors do) is kept: the next
    // record appended must start on a line of its own.
    lineOpen = whole !== '' && !whole.endsWith('\n');
    // `info`: where each record starts (the bytes before it), which the Ids are kept with.
    const parsed = parse(whole, { delimiter: options.delimiter, relax_column_count: true, info: true }) as unknown as { record: string[]; info: { bytes: number } }[];
    const rows = parsed.map(({ record }) => record);
    const found = rows[0] ?? [];
    if (rows.length > 0) {
      if (found.join('\u0000') !== header.join('\u0000')) {
        throw new RunError(
          'BAD_OPTION',
          `--backup ${path} has the columns ${found.join(', ')}, but this input backs up ${header.join(', ')}: choose another --backup file.`,
        );
      }
      needsHeader = false;
      for (let i = 1; i < parsed.length; i++) {
        const id = parsed[i]!.record[0];
        if (id !== undefined && id !== '') ids.add(id, parsed[i - 1]!.info.bytes, false);
      }
    }
  }

  let file: Awaited<ReturnType<typeof open>> | undefined;
  // Reads finish in any order: their records are appended one batch after the other.
  let queue: Promise<void> = Promise.resolve();
  const append = async (records: readonly ReadRecord[]): Promise<void> => {
    const fresh = records.filter((record) => record.Id !== undefined && !ids.has(record.Id));
    // Held already (by the file `--resume` continues): now read in this run too.
    const written = new Set(fresh);
    for (const record of records) if (record.Id !== undefined && !written.has(record)) ids.add(record.Id, 0, true);
    if (fresh.length === 0) return;
    try {
      file ??= await open(path, 'a');
      // Zuora may answer a quantity in exponent form: written as a plain decimal, so the row restores.
      const rows = fresh.map((record) =>
        header.map((field) => (field === 'Quantity' && record[field] !== undefined ? backupQuantity(record[field], options.decimalComma) : (record[field] ?? ''))),
      );
      const lines = (needsHeader ? [header, ...rows] : rows).map((row) => csvLine(row, options.delimiter));
      const text = lines.join('');
      // Where these records start: the file's length now (read, not counted, so a write that failed part way cannot shift it).
      const start = (await file.stat()).size;
      await file.appendFile(lineOpen ? `\n${text}` : text);
      // On disk before any update of these Ids is sent: a crash never leaves a change without its backup.
      await file.datasync();
      let offset = start + (lineOpen ? 1 : 0);
      lineOpen = false;
      for (const [i, line] of lines.entries()) {
        if (i > 0 || !needsHeader) ids.add(fresh[needsHeader ? i - 1 : i]!.Id as string, offset, true);
        offset += Buffer.byteLength(line);
      }
    } catch (error) {
      throw new RunError('OUTPUT_UNWRITABLE', `Cannot write --backup ${path}: ${(error as Error).message}`, { cause: error });
    }
    needsHeader = false;
  };
  return {
    has: (id) => ids.has(id),
    readInRun: (id) => ids.readInRun(id),
    add(records) {
      const done = queue.then(() => append(records));
      queue = done.catch(() => undefined);
      return done;
    },
    get size() {
      return ids.size;
    },
    async close() {
      await queue;
      await file?.close();
      file = undefined;
      ids.close();
    },
  };
}

/**
 * The part of an existing backup to keep: everything up to the last newline, plus the text after it
 * when that is one whole record (it parses, with the header's number of fields). Anything else after
 * the last newline was cut short by a kill and is dropped.
 */
function keptText(existing: string, fields: number, delimiter: string): string {
  const whole = existing.slice(0, existing.lastIndexOf('\n') + 1);
  const rest = existing.slice(whole.length);
  if (rest === '' || rest === '\r') return whole;
  try {
    const rows = parse(rest, { delimiter, relax_column_count: true }) as string[][];
    if (rows.length === 1 && rows[0]?.length === fields) return existing;
  } catch {
    // A quote that never closes: cut short.
  }
  return whole;
}

/**
 * A quantity as the backup writes it: a plain decimal, digit for digit (Zuora's `5.00E-7` is
 * `0.000000500`, which every restore reads), with a decimal comma when the input had them.
 */
export function backupQuantity(answer: string, decimalComma = false): string {
  const plain = plainDecimalText(answer.trim());
  return decimalComma ? plain.replace('.', ',') : plain;
}
