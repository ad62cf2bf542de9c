import type { Logger } from 'pino';
import type { RunOptions } from './options.js';
import type { ProgressSource, Progress } from './output/progress.js';
import { takeRunLock } from './output/run-lock.js';
import { checkSideFiles, realResultsPath } from './output/side-files.js';
import type { RunSummary } from './output/summary.js';
import type { RunReporter } from './report/report-collector.js';
import { applyPipeline, type ApplyStages } from './run/apply-pipeline.js';
import { countedRecords } from './run/counted-records.js';
import { dryRunPipeline } from './run/dry-run-pipeline.js';
import { openInput } from './run/open-input.js';
import { previewPipeline } from './run/preview-pipeline.js';
import type { RunContext } from './run/run-context.js';
import { createRunState } from './run/run-state.js';
import type { WaitEffects } from './send/abortable-sleep.js';

/** Effects a run uses, passed in so tests and the CLI choose them. */
export interface RunDeps extends WaitEffects {
  logger: Logger;
  /** Interrupts the run (SIGINT/SIGTERM): no new row starts, in-flight rows get `graceMs` to finish. */
  signal?: AbortSignal;
  /** After an interrupt, how long in-flight requests may take before they are abandoned (`unknown`). Default 10 s. */
  graceMs?: number;
  /** A second interrupt: requests in flight are abandoned now (`unknown`), and the run writes what it has. */
  abandonNow?: AbortSignal;
  /** Makes the progress display once the run starts sending (the records counted, what holds the run back). Default: none. */
  progress?: (source: ProgressSource) => Progress;
  /** The `User-Agent` of every request. Default `zuora-usage-update` (the CLI adds its version). */
  userAgent?: string;
  /** `--report`: told when the run starts writing its outputs, then every row (report/). */
  report?: RunReporter;
  /** The clock of the per-attempt time limits (connect.ts `attemptNow`). Default `Date.now`. */
  attemptNow?: () => number;
  /** Stages of the applying run replaced in a test, to inject a failure or look at the files between two steps. Default: the real ones. */
  stages?: Partial<ApplyStages>;
}

/**
 * One whole run, as one of three pipelines over the same input and outputs (run/):
 * - dry run: read -> map -> record `valid`;
 * - preview: read -> map -> read from Zuora and compare -> preview file;
 * - apply: read -> map -> resume -> (back up, skip unchanged) -> send (-> verify) -> results.
 * Row failures end up in the results; run failures (unusable input, refused credentials before
 * anything was sent) are thrown as RunError. The advice (next step) is the CLI edge's.
 */
export async function run(options: RunOptions, deps: RunDeps): Promise<RunSummary> {
  // The results file by its real path: a symlinked --out shares its lock and side files with its target.
  const out = realResultsPath(options.out);
  // Before anything is written: two runs on one results file would lose rows and send some twice.
  const lock = takeRunLock(out, { logger: deps.logger, now: deps.now });
  try {
    if (!options.dryRun && !options.preview) checkSideFiles(out);
    // Two runs backing up into one file (with different --out) would each read the other's changes
    // as "before" values and write a second row for an Id: the backup is held like the results.
    const backupLock = options.backup === undefined ? undefined : takeRunLock(options.backup, { logger: deps.logger, now: deps.now, flag: '--backup' });
    try {
      return await runLocked(options, out, deps);
    } finally {
      backupLock?.release();
    }
  } finally {
    lock.release();
  }
}

async function runLocked(options: RunOptions, out: string, deps: RunDeps): Promise<RunSummary> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const input = await openInput(options, deps.logger);
  const state = createRunState({ interrupt: deps.signal, graceMs: deps.graceMs ?? 10_000, abandonNow: deps.abandonNow, logger: deps.logger });
  const records = countedRecords(input.table);
  const releases: Array<() => unknown> = [];
  const run: RunContext = { options, out, deps, input, state, records, now, startedAt, onExit: (release) => releases.push(release) };
  try {
    if (options.dryRun) return await dryRunPipeline(run);
    if (options.preview) return await previewPipeline(run);
    return await applyPipeline(run, deps.stages);
  } finally {
    // The results writer is among the first released: on an unexpected error, the rows already answered reach the file.
    for (const release of releases.reverse()) await release();
    await records.close();
    state.dispose();
  }
}
