import { EXIT } from '../errors.js';
import type { RunOptions } from '../options.js';
import { adviseErrors } from '../output/error-groups.js';
import type { Progress, ProgressSource } from '../output/progress.js';
import { takeRunLock, type RunLock } from '../output/run-lock.js';
import { formatSummary } from '../output/format-summary.js';
import { nextStep } from '../output/next-step.js';
import type { Summary } from '../output/summary.js';
import { run } from '../run.js';
import { buildRunOptions, type MainArgs } from './build-run-options.js';
import { checkLookOnlyOut, checkOutputPaths, companionFiles, runOutputs } from './check-output-paths.js';
import { replayEarlySignals } from './early-signals.js';
import { watchInterrupts } from './interrupts.js';
import { nextCommands } from './next-commands.js';
import { startRunReport, type RunReport } from './run-report.js';
import { errorExit } from './run-error-exit.js';
import { logFormatFromArgv, logFormatOf, openStderr, type StderrOutput } from './stderr-output.js';
import { watchRunEnd, type RunEnd } from './summary-json.js';

/** The main command: options from flags and the environment, one run, its summary; resolves the exit code. */
export async function runMain(args: MainArgs, version: string): Promise<number> {
  const out = await openStderr({ level: args.logLevel, format: logFormatOf(args.logFormat, process.stderr.isTTY === true) });
  const { logger } = out;
  const end = watchRunEnd({ logger, version, now: Date.now, runFinishedRecord: out.format === 'json' });
  // A second signal abandons the requests in flight at once: their rows end `unknown`, and the run still
  // writes every row it has, its true counts and its journal (so --resume re-sends only what may have
  // been sent). A third signal, or a run that has not ended within ABANDON_EXIT_MS, exits there and then.
  const abandonNow = new AbortController();
  const exitNow = (): never => process.exit(EXIT.interrupted);
  // Listening from the start: a signal while the run starts up interrupts it rather than killing the process.
  const interrupts = watchInterrupts({
    emitter: process,
    now: Date.now,
    onFirst: (signal) =>
      logger.warn(
        { signal },
        `interrupted: finishing in-flight requests (${signal === 'SIGINT' && out.terminal ? 'press Ctrl-C again to stop at once' : 'send the signal again to stop at once'})`,
      ),
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
  // A signal while the CLI was loading interrupts the run now that it can end with its summary.
  replayEarlySignals();
  try {
    return await startAndRun(args, version, out, { interrupt: interrupts.signal, abandonNow: abandonNow.signal }, end);
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
export async function reportStartFailure(error: unknown, version: string, argv: readonly string[], logFormat?: unknown): Promise<number> {
  const isTTY = process.stderr.isTTY === true;
  // The format the settings resolved, when they got that far; else as written on the command line.
  const format = typeof logFormat === 'string' ? logFormatOf(logFormat, isTTY) : logFormatFromArgv(argv, process.env, isTTY);
  const out = await openStderr({ level: 'info', format });
  return reportRunError(error, out, watchRunEnd({ logger: out.logger, version, now: Date.now, runFinishedRecord: out.format === 'json' }));
}

/** Checks the outputs, builds the options, runs and reports; every way it ends gives an exit code. */
async function startAndRun(args: MainArgs, version: string, out: StderrOutput, interrupts: Interrupts, end: RunEnd): Promise<number> {
  const { logger } = out;
  let summaryLock: RunLock | undefined;
  try {
    // First: a run that cannot start because of an output path writes nothing at all, summary included.
    checkOutputPaths(args.input, [...runOutputs(args), ...companionFiles(args)]);
    checkLookOnlyOut(args);
    // One run at a time writes a summary JSON: a second run (a cron overlap) would write its own refusal
    // over the status of the run in progress, which a monitor would take for that run's.
    if (hasSummaryJson(args)) summaryLock = takeRunLock(args.summaryJson, { logger, flag: '--summary-json' });
  } catch (error) {
    return reportRunError(error, out, end);
  }
  try {
    return await startWithSummary(args, version, out, interrupts, end);
  } finally {
    summaryLock?.release();
  }
}

function hasSummaryJson(args: MainArgs): args is MainArgs & { summaryJson: string } {
  return args.summaryJson !== undefined && args.summaryJson.trim() !== '';
}

/** Builds the options, runs and reports, once the outputs are known to be usable. */
async function startWithSummary(args: MainArgs, version: string, out: StderrOutput, interrupts: Interrupts, end: RunEnd): Promise<number> {
  const { logger } = out;
  end.learn({ path: args.summaryJson });
  let options: RunOptions;
  try {
    options = buildRunOptions(args, process.env);
    end.learn({ options });
    end.running();
  } catch (error) {
    return reportRunError(error, out, end);
  }
  // Progress only on a terminal: cron and Kubernetes logs stay clean.
  const terminal = args.logLevel === 'silent' ? undefined : out.terminal;
  const progress = terminal ? (source: ProgressSource): Progress => terminal.progress(source) : undefined;
  // Written only once run() starts writing its outputs, and then however the run ends.
  const report: RunReport | undefined = startRunReport(args, options, { logger, version, now: Date.now });
  try {
    const ended = await run(options, { logger, signal: interrupts.interrupt, abandonNow: interrupts.abandonNow, progress, userAgent: `zuora-usage-update/${version}`, report: report?.collector });
    const errors = adviseErrors(ended.errorCounts ?? [], { transport: options.transport });
    const summary: Summary = { ...ended, errors, nextStep: nextStep({ ...ended, errors }, nextCommands(args, options)) };
    // One summary: the block for people (text), or the "run finished" line (json).
    if (out.format === 'text') out.write(formatSummary(summary));
    report?.finished(summary);
    end.finished(summary);
    return summary.exitCode;
  } catch (error) {
    return reportRunError(error, out, end, report);
  }
}

/**
 * Reports a run that ended by an error, once: a line for people (text) or a log record (json); then
 * ends it (`--summary-json`, and the "run finished" record in json) and gives its exit code.
 */
function reportRunError(error: unknown, out: StderrOutput, end: RunEnd, report?: RunReport): number {
  const failure = errorExit(error);
  // An unexpected error keeps its stack, for a bug report.
  if (failure.unexpected) out.logger.fatal({ err: error }, 'unexpected error');
  else if (out.format === 'json') out.logger.error({ code: failure.code }, failure.message);
  if (out.format === 'text') out.write(`zuora-usage-update: ${failure.message}\n`);
  report?.failed(failure);
  end.failed(failure);
  return failure.exitCode;
}
