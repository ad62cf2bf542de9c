import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { RunError } from '../errors.js';
import { RESULT_COLUMNS } from '../row-outcome.js';
import { runInfoPath } from '../resume/run-info.js';
import { journalPath } from '../resume/send-journal.js';
import { KEPT_ROWS_MARK, keptRowsPath } from '../resume/kept-rows-path.js';
import { partialPath } from '../resume/results-file.js';

/**
 * The side files of a results file (`.run.json`, `.journal`, `.partial`, `.kept-rows`, `.lock`) are named from its
 * real path, so that a symlinked `--out` shares them, and its lock, with the file it points at, and
 * from its whole name, so that two results files never share one (SPEC "Outputs").
 */

/** The real path of a results file: the file a link points at; for a file not there yet, the real path of its folder plus its name. */
export function realResultsPath(out: string): string {
  const absolute = resolve(out);
  try {
    return realpathSync(absolute);
  } catch {
    try {
      return join(realpathSync(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}

/** Bytes read from the start of a side file to tell whether this tool wrote it. */
const HEAD_BYTES = 64 * 1024;

/**
 * Refuses (RunError, exit 1, nothing changed) when a side file of the results file `out` (its real
 * path) exists and is not one this tool writes: a run would write over it or delete it. The lock is
 * judged when it is taken (run-lock.ts).
 */
export function checkSideFiles(out: string): void {
  const files: Array<{ name: string; path: string; ours: (head: string) => boolean }> = [
    { name: '.run.json', path: runInfoPath(out), ours: isRunInfo },
    { name: '.journal', path: journalPath(out), ours: isJournal },
    { name: '.partial', path: partialPath(out), ours: isResults },
    { name: '.kept-rows', path: keptRowsPath(out), ours: isKeptRows },
  ];
  for (const file of files) {
    const head = headOf(file.path);
    if (head === undefined || head === '' || file.ours(head)) continue;
    throw new RunError(
      'BAD_OPTION',
      `${file.path} is in the way: a run on --out ${out} keeps its ${file.name} there, and this file was not written by zuora-usage-update. ` +
        'It was left unchanged. Move it away, or choose another --out.',
    );
  }
}

/** The start of a file as text; undefined when there is none (or it is no regular file, which the write would then fail on). */
function headOf(path: string): string | undefined {
  let fd: number;
  try {
    if (!statSync(path).isFile()) return 'not a regular file';
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    return buffer.subarray(0, readSync(fd, buffer, 0, HEAD_BYTES, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function isRunInfo(head: string): boolean {
  try {
    return (JSON.parse(head) as { tool?: unknown }).tool === 'zuora-usage-update';
  } catch {
    return false;
  }
}

/** The journal's lines (send-journal.ts); the last one may be torn by a kill. */
function isJournal(head: string): boolean {
  const lines = head.split('\n');
  const torn = lines.pop() ?? '';
  return lines.every((line) => /^(dirty\t\d+|run\t(out|partial)|send\t\d+\t\d+(\t\+)?)$/.test(line)) && /^[a-z]*(\t[\d+a-z\t]*)?$/.test(torn);
}

/** A results CSV of this tool: its header ends with the result columns, or it is cut short before its first line end (a kill while starting). */
function isResults(head: string): boolean {
  const end = head.indexOf('\n');
  if (end < 0) return head.length < HEAD_BYTES;
  const line = head.slice(0, end).replace(/^\uFEFF/, '').replace(/\r$/, '');
  return [',', ';', '\t', '|'].some((delimiter) => line === RESULT_COLUMNS.join(delimiter) || line.endsWith(`${delimiter}${RESULT_COLUMNS.join(delimiter)}`));
}

/** The scratch file of a resumed run (kept-rows-path.ts): its mark, possibly cut short by a kill. */
function isKeptRows(head: string): boolean {
  return head.startsWith(KEPT_ROWS_MARK) || KEPT_ROWS_MARK.startsWith(head);
}
