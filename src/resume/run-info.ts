import { readFile, writeFile } from 'node:fs/promises';
import { RunError } from '../errors.js';
import type { ReadingOptions } from './reading-options.js';

/** Which tenant a results file was recorded against, kept beside it as `<out>.run.json`. */
export interface RunInfo {
  tool: 'zuora-usage-update';
  /** `local`, or the base URL plus entity and org ids: rows applied to one tenant are not applied to another. */
  target: string;
  input: string;
  trackPrefix: string;
  startedAt: string;
  /** The options that decide what a cell means (reading-options.ts); absent in files of earlier versions. */
  reading?: ReadingOptions;
}

/** Where the run info of the results file `out` is kept. */
export function runInfoPath(out: string): string {
  return `${out.replace(/\.csv$/i, '')}.run.json`;
}

/**
 * Whether an earlier run's results may be resumed against `target`: `same`, or `unknown` (no run info:
 * the rows are all processed again, which is safe). A different target is refused: rows recorded
 * `updated` in a sandbox must not count as done in production.
 */
export async function checkResumeTarget(out: string, target: string): Promise<'same' | 'unknown'> {
  let info: Partial<RunInfo>;
  try {
    info = JSON.parse(await readFile(runInfoPath(out), 'utf8')) as Partial<RunInfo>;
  } catch {
    return 'unknown';
  }
  if (info.target === target) return 'same';
  throw new RunError(
    'BAD_OPTION',
    `--resume: the results in ${out} were recorded against ${info.target ?? 'an unknown target'}, and this run sends to ${target}. ` +
      'Rows updated there are not updated here: choose another --out, or run without --resume to start over.',
  );
}

/** Records which tenant the results in `out` are written against (OUTPUT_UNWRITABLE when it cannot). */
export async function writeRunInfo(out: string, info: RunInfo): Promise<void> {
  const path = runInfoPath(out);
  try {
    await writeFile(path, `${JSON.stringify(info, null, 2)}\n`);
  } catch (error) {
    throw new RunError('OUTPUT_UNWRITABLE', `Cannot write ${path}: ${(error as Error).message}. Choose another --out.`, { cause: error });
  }
}
