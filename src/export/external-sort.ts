/**
 * Sorting more rows than memory should hold (SPEC "Export": flat memory at 1,000,000 records, and
 * ZOQL cannot sort): rows are gathered into runs of `runSize`, each run sorted and written to a file
 * of its own, then the runs are merged, holding one row per run.
 */

import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { runFileLines } from './run-file-lines.js';

/** Rows per run: a few MB of typical export rows; a million records make 100 run files, merged holding one row each. */
export const DEFAULT_RUN_SIZE = 10_000;

export interface ExternalSorter {
  /** Adds a row with its key (rows compare by key, as strings). */
  add(key: string, cells: string[]): Promise<void>;
  /** Every row added, in key order. Call once, after the last add. */
  sorted(): AsyncGenerator<string[]>;
  /** Run files written so far. */
  readonly runs: number;
  /** Removes the run files (also when the sort is abandoned). */
  close(): Promise<void>;
}

/** A row waiting in a run: its key, and its cells as JSON text (one string holds less than an array of strings). */
type Entry = [string, string];
/** A run's next row as read back from its file: its key and its cells. */
type Head = [string, string[]];

const byKey = (a: Entry, b: Entry): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** A sorter whose run files go into a new folder under `parent` (removed by close). */
export async function createExternalSorter(options: { parent: string; runSize?: number }): Promise<ExternalSorter> {
  const runSize = options.runSize ?? DEFAULT_RUN_SIZE;
  let folder: string | undefined;
  const files: string[] = [];
  let buffer: Entry[] = [];

  const writeRun = async (): Promise<void> => {
    folder ??= await mkdtemp(join(options.parent, 'zuora-usage-export-'));
    const path = join(folder, `run-${files.length}.jsonl`);
    files.push(path);
    buffer.sort(byKey);
    const out = createWriteStream(path);
    for (const entry of buffer) {
      // JSON keeps the line breaks of a Description inside one line of the run file: [key, cells].
      if (!out.write(`[${JSON.stringify(entry[0])},${entry[1]}]\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'close');
    buffer = [];
  };

  return {
    async add(key, cells) {
      buffer.push([key, JSON.stringify(cells)]);
      if (buffer.length >= runSize) await writeRun();
    },
    async *sorted() {
      if (files.length === 0) {
        buffer.sort(byKey);
        const rows = buffer;
        buffer = [];
        for (const [, cells] of rows) yield JSON.parse(cells) as string[];
        return;
      }
      if (buffer.length > 0) await writeRun();
      const readers = files.map((path) => runFileLines(path));
      const heads: Array<Head | undefined> = [];
      const next = async (i: number): Promise<void> => {
        const line = await (readers[i] as AsyncIterator<string>).next();
        heads[i] = line.done ? undefined : (JSON.parse(line.value) as Head);
      };
      try {
        for (let i = 0; i < readers.length; i++) await next(i);
        for (;;) {
          let least = -1;
          for (let i = 0; i < heads.length; i++) {
            const head = heads[i];
            if (head !== undefined && (least < 0 || head[0] < (heads[least] as Head)[0])) least = i;
          }
          if (least < 0) return;
          yield (heads[least] as Head)[1];
          await next(least);
        }
      } finally {
        for (const reader of readers) await reader.return(undefined);
      }
    },
    get runs() {
      return files.length;
    },
    async close() {
      buffer = [];
      if (folder !== undefined) await rm(folder, { recursive: true, force: true });
    },
  };
}
