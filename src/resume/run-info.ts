import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { RunError } from '../errors.js';
import type { RunOptions } from '../options.js';
import type { ReadingOptions } from './reading-options.js';

/** Which tenant a results file was recorded against, kept beside it as `<out>.run.json`. */
export interface RunInfo {
  tool: 'zuora-usage-update';
  /** `local`, or the base URL plus entity and org ids: rows applied to one tenant are not applied to another. */
  target: string;
  input: string;
  trackPrefix: string;
  startedAt: string;
  /** The results file (its real path) this record belongs to; absent in records of earlier versions. */
  results?: string;
  /** Set once the run recorded every input row (its end): results without it are an unfinished run's. */
  completedAt?: string;
  /** The options that decide what a cell means (reading-options.ts); absent in files of earlier versions. */
  reading?: ReadingOptions;
}

/**
 * Where the run info of the results file `out` is kept: `<out>.run.json`, named from the whole file
 * name so that `res.csv` and `res` never share one (SPEC "Outputs").
 */
export function runInfoPath(out: string): string {
  return `${out}.run.json`;
}

/** Where earlier versions kept it (`res.csv` -> `res.run.json`, which `res` also used): read for `--resume`, never written. */
export function legacyRunInfoPath(out: string): string {
  return `${out.replace(/\.csv$/i, '')}.run.json`;
}

/**
 * The run info of the results file `out`, undefined when there is none. An earlier version's file is
 * read when there is no current one, unless it says it belongs to another results file (`res` writes
 * the name `res.csv` used to have).
 */
export async function readRunInfo(out: string): Promise<Partial<RunInfo> | undefined> {
  const current = await readJson(runInfoPath(out));
  if (current !== undefined) return current;
  const legacy = legacyRunInfoPath(out) === runInfoPath(out) ? undefined : await readJson(legacyRunInfoPath(out));
  return legacy !== undefined && (legacy.results === undefined || legacy.results === out) ? legacy : undefined;
}

async function readJson(path: string): Promise<Partial<RunInfo> | undefined> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as Partial<RunInfo>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether an earlier run's results may be resumed against `target`: `same`, or `unknown` (no run info:
 * the rows are all processed again, which is safe). A different target is refused: rows recorded
 * `updated` in a sandbox must not count as done in production.
 */
export async function checkResumeTarget(out: string, target: string): Promise<'same' | 'unknown'> {
  const info = await readRunInfo(out);
  if (info === undefined) return 'unknown';
  if (info.target === target) return 'same';
  throw new RunError(
    'BAD_OPTION',
    `--resume: the results in ${out} were recorded against ${info.target ?? 'an unknown target'}, and this run sends to ${target}. ` +
      'Rows updated there are not updated here: choose another --out, or run without --resume to start over.',
  );
}

/**
 * Records which tenant the results in `out` are written against (OUTPUT_UNWRITABLE when it cannot),
 * whole or not at all (written beside it, then renamed into place).
 */
export async function writeRunInfo(out: string, info: RunInfo): Promise<void> {
  const path = runInfoPath(out);
  try {
    await writeFile(`${path}.next`, `${JSON.stringify({ ...info, results: out }, null, 2)}\n`);
    await rename(`${path}.next`, path);
  } catch (error) {
    throw new RunError('OUTPUT_UNWRITABLE', `Cannot write ${path}: ${(error as Error).message}. Choose another --out.`, { cause: error });
  }
}

/**
 * Removes the run info of `out` before its results are written anew: a kill between truncating the
 * results and recording the new tenant then leaves results with no record (processed again), never
 * results labelled with the tenant of the run they replaced. Only call on a file of this tool
 * (checkSideFiles).
 */
export async function removeRunInfo(out: string): Promise<void> {
  await rm(runInfoPath(out), { force: true });
}

/** The tenant a run writes to, as recorded for `--resume`. */
export function targetIdentity(options: Pick<RunOptions, 'target' | 'entityIds' | 'orgIds'>): string {
  if (options.target.kind === 'local') return 'local';
  const scope = [options.entityIds && `entity-ids=${options.entityIds}`, options.orgIds && `org-ids=${options.orgIds}`].filter(Boolean);
  return scope.length > 0 ? `${options.target.baseUrl} (${scope.join(', ')})` : options.target.baseUrl;
}
