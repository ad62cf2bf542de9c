import { accessSync, closeSync, constants, lstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { RunError } from '../errors.js';
import { partialPath } from '../resume/results-file.js';
import { lockPath } from '../output/run-lock.js';
import { realResultsPath } from '../output/side-files.js';
import { legacyRunInfoPath, runInfoPath } from '../resume/run-info.js';
import { journalPath } from '../resume/send-journal.js';
import { keptRowsPath } from '../resume/kept-rows-path.js';
import { RESULT_COLUMNS } from '../row-outcome.js';
import { outputFiles, type MainArgs } from './build-run-options.js';

/** One file a run writes, named as the user knows it (a flag, or what it sits beside). */
export interface OutputFile {
  /** E.g. `--failures`, or `the .run.json beside --out`. */
  name: string;
  path: string;
}

/** The file-system questions the check asks, passed in so a test can answer them. */
export interface PathProbe {
  /** The real path, following links; throws when it does not exist. */
  realpath(path: string): string;
  /** 'file', 'folder', 'other' (a device such as /dev/full), or undefined when it does not exist. */
  kind(path: string): 'file' | 'folder' | 'other' | undefined;
  writable(path: string): boolean;
  /** The start of an existing file as text ('' when empty or absent), to tell this tool's outputs from other files. Without it, no file is read. */
  startOf?(path: string): string;
  /** Whether the path is a symbolic link whose target does not exist. Without it, links are not checked. */
  danglingLink?(path: string): boolean;
}

/** Bytes read from the start of an existing output: enough for any header line. */
const HEAD_BYTES = 64 * 1024;

export const NODE_PATH_PROBE: PathProbe = {
  realpath: (path) => realpathSync(path),
  kind(path) {
    try {
      const stat = statSync(path);
      return stat.isFile() ? 'file' : stat.isDirectory() ? 'folder' : 'other';
    } catch {
      return undefined;
    }
  },
  writable(path) {
    try {
      accessSync(path, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  },
  danglingLink(path) {
    try {
      return lstatSync(path).isSymbolicLink() && NODE_PATH_PROBE.kind(path) === undefined;
    } catch {
      return false;
    }
  },
  startOf(path) {
    let fd: number;
    try {
      // Only a regular file is read: opening a FIFO would wait for a writer, a device may never end.
      if (!statSync(path).isFile()) return '';
      fd = openSync(path, 'r');
    } catch {
      return '';
    }
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      return buffer.subarray(0, readSync(fd, buffer, 0, HEAD_BYTES, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  },
};

/** Every file the run with these flags writes; a new output is one more entry. */
export function runOutputs(args: Pick<MainArgs, 'input' | 'out' | 'failures' | 'dryRun' | 'summaryJson'> & Partial<Pick<MainArgs, 'preview' | 'backup' | 'report'>>): OutputFile[] {
  const { out, failures } = outputFiles(args);
  // A preview writes only its preview file (--out): no failures file, and no .run.json (it changes no tenant).
  const outputs: OutputFile[] = [{ name: '--out', path: out }];
  if (!args.preview) outputs.push({ name: '--failures', path: failures });
  // A dry run records no tenant, so it writes no .run.json.
  if (!args.dryRun && !args.preview) outputs.push({ name: 'the .run.json beside --out', path: runInfoPath(realResultsPath(out)) });
  if (args.summaryJson !== undefined) outputs.push({ name: '--summary-json', path: args.summaryJson });
  // An empty --backup is refused as a bad option (build-run-options.ts), not as a path.
  if (args.backup !== undefined && args.backup.trim() !== '') outputs.push({ name: '--backup', path: args.backup });
  if (args.report !== undefined && args.report.trim() !== '') outputs.push({ name: '--report', path: args.report });
  return outputs;
}

/**
 * The files a run keeps beside its outputs: the lock of `--out` (every run), of `--backup` and of `--summary-json`, and the
 * journal and partial results of a real run. Another output written over one of them would break it: a
 * summary written over the lock leaves a lock no run can take, one over the journal loses what `--resume` needs.
 */
export function companionFiles(args: Pick<MainArgs, 'input' | 'out' | 'failures' | 'dryRun' | 'summaryJson'> & Partial<Pick<MainArgs, 'preview' | 'backup'>>): OutputFile[] {
  // Side files follow the real path of the results file (run.ts names them so).
  const out = realResultsPath(outputFiles(args).out);
  const files: OutputFile[] = [{ name: 'the .lock beside --out', path: lockPath(out) }];
  if (!args.dryRun && !args.preview) {
    files.push({ name: 'the .journal beside --out', path: journalPath(out) }, { name: 'the .partial beside --out', path: partialPath(out) });
    files.push({ name: 'the .kept-rows beside --out', path: keptRowsPath(out) });
  }
  if (args.backup !== undefined && args.backup.trim() !== '') files.push({ name: 'the .lock beside --backup', path: lockPath(args.backup) });
  if (args.summaryJson !== undefined && args.summaryJson.trim() !== '') files.push({ name: 'the .lock beside --summary-json', path: lockPath(args.summaryJson) });
  return files;
}

/**
 * A dry run or a preview never writes over the results of a real run: the record that `--resume` reads
 * and the only account of what was sent. Such results have the `.run.json` beside them, which only a
 * real run writes. Throws RunError('BAD_OPTION').
 */
export function checkLookOnlyOut(args: Pick<MainArgs, 'input' | 'out' | 'failures' | 'dryRun'> & Partial<Pick<MainArgs, 'preview'>>, probe: PathProbe = NODE_PATH_PROBE): void {
  if (!args.dryRun && !args.preview) return;
  const { out } = outputFiles(args);
  const real = realResultsPath(out);
  const info = [runInfoPath(real), legacyRunInfoPath(real)].find((path) => probe.kind(path) === 'file');
  if (probe.kind(out) !== 'file' || info === undefined) return;
  const what = args.preview ? '--preview' : '--dry-run';
  throw new RunError(
    'BAD_OPTION',
    `--out ${out} holds the results of a real run (${info} is beside it): ${what} would write over what that run recorded, ` +
      `which --resume needs. Leave out --out (${what} then writes ${outputFiles({ ...args, out: undefined }).out}) or choose another path.`,
  );
}

/**
 * Checks, before any file is written or truncated, that every output is a different file from the input
 * and from each other (by real path, so links and `./` compare equal; for a file that does not exist
 * yet, the real path of its folder plus its name), and that each can be written: not a folder, in a
 * folder that exists. Throws RunError('BAD_OPTION') naming the options.
 */
export function checkOutputPaths(input: string, outputs: readonly OutputFile[], probe: PathProbe = NODE_PATH_PROBE): void {
  const seen = new Map<string, string>([[canonicalPath(input, probe), 'the input']]);
  for (const output of outputs) {
    const real = canonicalPath(output.path, probe);
    const other = seen.get(real);
    if (other !== undefined) {
      throw new RunError(
        'BAD_OPTION',
        `${output.name} ${output.path} is the same file as ${other}. --out, --failures and the input must be three different files, ` +
          `and every other file the run writes (${others(outputs)}) must differ from them all: ` +
          `nothing is written over the input or another output. Choose another path for ${output.name}.`,
      );
    }
    seen.set(real, `${output.name} (${output.path})`);
  }
  for (const output of outputs) checkWritable(output, probe);
  for (const output of outputs) checkOwnOrNew(output, probe);
}

/**
 * An existing --out, --failures or --summary-json is written over only when an earlier run of this tool
 * wrote it: a results (or failures, preview) CSV, or a summary JSON. Any other file there, such as the
 * backup of an earlier run (the only copy of the values it replaced) or another input, is refused.
 */
function checkOwnOrNew(output: OutputFile, probe: PathProbe): void {
  const csv = output.name === '--out' || output.name === '--failures';
  const report = output.name === '--report';
  if (!probe.startOf || !(csv || report || output.name === '--summary-json')) return;
  const head = probe.startOf(output.path);
  if (head.trim() === '') return;
  if (csv ? mayBeResults(head) : report ? head.startsWith('<!DOCTYPE html>') : head.trimStart().startsWith('{')) return;
  const what = csv ? `a results file of this tool (its header does not end with ${RESULT_COLUMNS.join(',')})` : report ? 'an HTML report of this tool' : 'a summary JSON of this tool';
  throw new RunError(
    'BAD_OPTION',
    `${output.name} ${output.path} already exists and is not ${what}; it was left unchanged. A run writes over an existing file only ` +
      `when it is one of this tool's outputs, so that a backup, an input or any other file is never lost. Choose another path for ${output.name}, or move that file away.`,
  );
}

/** Whether a CSV's start may be this tool's results: its header ends with the result columns, or its header line is cut short (a run killed while writing it). */
function mayBeResults(head: string): boolean {
  const end = head.indexOf('\n');
  if (end < 0) return true;
  const line = head.slice(0, end).replace(/^\uFEFF/, '').replace(/\r$/, '');
  // A header cell with a line break in it: the first line is not the whole header, so it cannot be judged.
  if ((line.match(/"/g) ?? []).length % 2 === 1) return true;
  return [',', ';', '\t', '|'].some((delimiter) => line === RESULT_COLUMNS.join(delimiter) || line.endsWith(`${delimiter}${RESULT_COLUMNS.join(delimiter)}`));
}

/** The outputs besides --out and --failures, for the message. */
function others(outputs: readonly OutputFile[]): string {
  return outputs.filter((o) => o.name !== '--out' && o.name !== '--failures').map((o) => o.name).join(', ') || 'none here';
}

function checkWritable(output: OutputFile, probe: PathProbe): void {
  const kind = probe.kind(output.path);
  if (kind === 'folder') {
    throw new RunError('BAD_OPTION', `${output.name} ${output.path} is a folder; expected the path of a file to write, e.g. ${join(output.path, 'out.csv')}.`);
  }
  if (kind !== undefined) {
    if (!probe.writable(output.path)) throw new RunError('BAD_OPTION', `${output.name} ${output.path} cannot be written (no permission). Choose another path.`);
    return;
  }
  // Writing through a link to nowhere fails only once the run has started (and written its other files).
  if (probe.danglingLink?.(output.path)) {
    throw new RunError('BAD_OPTION', `${output.name} ${output.path} is a link to a file in a folder that does not exist. Choose another path, or fix the link.`);
  }
  const folder = dirname(resolve(output.path));
  if (probe.kind(folder) !== 'folder') {
    throw new RunError('BAD_OPTION', `${output.name} ${output.path}: the folder ${folder} does not exist. Create it or choose another path.`);
  }
  if (!probe.writable(folder)) {
    throw new RunError('BAD_OPTION', `${output.name} ${output.path}: the folder ${folder} cannot be written (no permission). Choose another path.`);
  }
}

/** The real path of a file, or of its folder plus its name when it does not exist yet. */
function canonicalPath(path: string, probe: PathProbe): string {
  const absolute = resolve(path);
  try {
    return probe.realpath(absolute);
  } catch {
    try {
      return join(probe.realpath(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}
