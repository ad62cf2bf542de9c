import type { Logger } from 'pino';
import { EXIT } from '../errors.js';
import { createLogger } from '../logger.js';
import type { RunOptions } from '../options.js';
import type { Progress } from '../output/progress.js';
import { takeRunLock, type RunLock } from '../output/run-lock.js';
import { formatSummary, nextStep, type Summary } from '../output/summary.js';
import { run } from '../run.js';
import { buildRunOptions, type MainArgs } from './build-run-options.js';
import { checkLookOnlyOut, checkOutputPaths, companionFiles, runOutputs } from './check-output-paths.js';
import { watchInterrupts } from './interrupts.js';
import { nextCommands } from './next-commands.js';
import { errorExit } from './run-error-exit.js';
import { watchRunEnd, type RunEnd } from './summary-json.js';

/** The main command: options from flags and the environment, one run, its summary; resolves the exit code. */
export async function runMain(args: MainArgs, version: string): Promise<number> {
  const logger = await createLogger({ level: args.logLevel, pretty: process.stderr.isTTY === true });
  const end = watchRunEnd({ logger, version, now: Date.now });
  // A second signal abandons the requests in flight at once: their rows end `unknown`, and the run still
  // writes every row it has, its true counts and its journal (so --resume re-sends only what may have
  // been sent). A third signal, or a run that has not ended within ABANDON_EXIT_MS, exits there and then.
  const abandonNow = new AbortController();
  const exitNow = (): never => process.exit(EXIT.interrupted);
  // Listening from the start: a signal while the run starts up interrupts it rather than killing the process.
  const interrupts = watchInterrupts({
    emitter: process,
    now: Date.now,
    onFirst: (signal) => logger.warn({ signal }, 'interrupted: finishing in-flight requests (send the signal again to exit at once)'),
    onRepeat: (signal) => {
      if (abandonNow.signal.aborted) {
        logger.warn({ signal }, 'interrupted a third time: exiting without writing the rows still held (run again with --resume)');
        // The exit event writes the summary JSON's final status and the "run finished" record.
        exitNow();
      }
      logger.warn({ signal }, 'interrupted again: abandoning the requests in flight (their rows end unknown) and exiting');
      abandonNow.abort();
      setTimeout(exitNow, ABANDON_EXIT_MS).unref();
    },
  });
  try {
    return await startAndRun(args, version, logger, { interrupt: interrupts.signal, abandonNow: abandonNow.signal }, end);
  } finally {
    interrupts.dispose();
  }
}

/** After a second signal, how long the run may take to write what it has before the process exits anyway. */
const ABANDON_EXIT_MS = 5000;

/** The CLI's signals: the first interrupts, a second abandons the requests in flight. */
interface Interrupts {
  interrupt: AbortSignal;
  abandonNow: AbortSignal;
}

/**
 * A command line that fails before the main command runs (a bad setting, a flag yargs refuses) is
 * reported like every start failure: exit 1, and the log ends with the "run finished" record.
 */
export async function reportStartFailure(error: unknown, version: string): Promise<number> {
  const logger = await createLogger({ level: 'info', pretty: process.stderr.isTTY === true });
  return reportRunError(error, logger, watchRunEnd({ logger, version, now: Date.now }));
}

/** Checks the outputs, builds the options, runs and reports; every way it ends gives an exit code. */
async function startAndRun(args: MainArgs, version: string, logger: Logger, interrupts: Interrupts, end: RunEnd): Promise<number> {
  let summaryLock: RunLock | undefined;
  try {
    // First: a run that cannot start because of an output path writes nothing at all, summary included.
    checkOutputPaths(args.input, [...runOutputs(args), ...companionFiles(args)]);
    checkLookOnlyOut(args);
    // One run at a time writes a summary JSON: a second run (a cron overlap) would write its own refusal
    // over the status of the run in progress, which a monitor would take for that run's.
    if (hasSummaryJson(args)) summaryLock = takeRunLock(args.summaryJson, { logger, flag: '--summary-json' });
  } catch (error) {
    return reportRunError(error, logger, end);
  }
  try {
    return await startWithSummary(args, version, logger, interrupts, end);
  } finally {
    summaryLock?.release();
  }
}

function hasSummaryJson(args: MainArgs): args is MainArgs & { summaryJson: string } {
  return args.summaryJson !== undefined && args.summaryJson.trim() !== '';
}

/** Builds the options, runs and reports, once the outputs are known to be usable. */
async function startWithSummary(args: MainArgs, version: string, logger: Logger, interrupts: Interrupts, end: RunEnd): Promise<number> {
  end.learn({ path: args.summaryJson });
  let options: RunOptions;
  try {
    options = buildRunOptions(args, process.env);
    end.learn({ options });
    end.running();
  } catch (error) {
    return reportRunError(error, logger, end);
  }
  // Progress only on a terminal: cron and Kubernetes logs stay clean.
  let progress: ((total: number | undefined) => Progress) | undefined;
  if (process.stderr.isTTY && args.logLevel !== 'silent') {
    const { terminalProgress } = await import('../output/terminal-progress.js');
    progress = (total) => terminalProgress(process.stderr, total);
  }
  try {
    const ended = await run(options, { logger, signal: interrupts.interrupt, abandonNow: interrupts.abandonNow, progress, userAgent: `zuora-usage-update/${version}` });
    const summary: Summary = { ...ended, nextStep: nextStep(ended, nextCommands(args, options)) };
    process.stderr.write(formatSummary(summary));
    end.finished(summary);
    return summary.exitCode;
  } catch (error) {
    return reportRunError(error, logger, end);
  }
}

/** Logs a run that ended by an error, ends it (`--summary-json`, "run finished"), and gives its exit code. */
function reportRunError(error: unknown, logger: Logger, end: RunEnd): number {
  const failure = errorExit(error);
  if (failure.unexpected) logger.fatal({ err: error }, 'unexpected error');
  else logger.error({ code: failure.code }, failure.message);
  process.stderr.write(`\nzuora-usage-update: ${failure.message}\n`);
  end.failed(failure);
  return failure.exitCode;
}
