import type { Logger } from 'pino';
import { EXIT, type RunError } from '../errors.js';
import { createLogger } from '../logger.js';
import type { RunOptions } from '../options.js';
import type { Progress } from '../output/progress.js';
import { formatSummary, nextStep, type Summary } from '../output/summary.js';
import { run } from '../run.js';
import { buildRunOptions, type MainArgs } from './build-run-options.js';
import { checkOutputPaths, runOutputs } from './check-output-paths.js';
import { watchInterrupts } from './interrupts.js';
import { nextCommands } from './next-commands.js';
import { errorExit } from './run-error-exit.js';
import { openSummaryJson, writeSummaryJson, type SummaryJsonFile } from './summary-json.js';

/** The main command: options from flags and the environment, one run, its summary; resolves the exit code. */
export async function runMain(args: MainArgs, version: string): Promise<number> {
  const logger = await createLogger({ level: args.logLevel, pretty: process.stderr.isTTY === true });
  // Listening from the start: a signal while the run starts up interrupts it rather than killing the process.
  const interrupts = watchInterrupts({
    emitter: process,
    now: Date.now,
    onFirst: (signal) => logger.warn({ signal }, 'interrupted: finishing in-flight requests (send the signal again to exit at once)'),
    onRepeat: (signal) => {
      logger.warn({ signal }, 'interrupted again: exiting at once; rows in flight get no result (run again with --resume)');
      // The exit event writes the summary JSON's final status.
      process.exit(EXIT.interrupted);
    },
  });
  try {
    return await startAndRun(args, version, logger, interrupts.signal);
  } finally {
    interrupts.dispose();
  }
}

/** Checks the outputs, builds the options, runs and reports; every way it ends gives an exit code. */
async function startAndRun(args: MainArgs, version: string, logger: Logger, interrupt: AbortSignal): Promise<number> {
  try {
    // First: a run that cannot start because of an output path writes nothing at all, summary included.
    checkOutputPaths(args.input, runOutputs(args));
  } catch (error) {
    return reportRunError(error, logger, undefined);
  }
  let options: RunOptions;
  let summaryJson: SummaryJsonFile | undefined;
  try {
    options = buildRunOptions(args, process.env);
    if (options.summaryJson) summaryJson = openSummaryJson(options.summaryJson, { input: options.input, out: options.out, failures: options.failures });
  } catch (error) {
    const path = args.summaryJson;
    return reportRunError(error, logger, path === undefined ? undefined : (content) => writeSummaryJson(path, content));
  }
  // Progress only on a terminal: cron and Kubernetes logs stay clean.
  let progress: ((total: number | undefined) => Progress) | undefined;
  if (process.stderr.isTTY && args.logLevel !== 'silent') {
    const { terminalProgress } = await import('../output/terminal-progress.js');
    progress = (total) => terminalProgress(process.stderr, total);
  }
  try {
    const ended = await run(options, { logger, signal: interrupt, progress, userAgent: `zuora-usage-update/${version}` });
    const summary: Summary = { ...ended, nextStep: nextStep(ended, nextCommands(args, options)) };
    process.stderr.write(formatSummary(summary));
    try {
      summaryJson?.final(summary);
    } catch (error) {
      logger.error({ code: (error as RunError).code }, (error as Error).message);
    }
    return summary.exitCode;
  } catch (error) {
    return reportRunError(error, logger, summaryJson?.final);
  }
}

/** Logs a run that ended by an error, records it with `writeSummary` (`--summary-json`), and gives its exit code. */
function reportRunError(error: unknown, logger: Logger, writeSummary: ((content: object) => void) | undefined): number {
  const end = errorExit(error);
  if (end.unexpected) logger.fatal({ err: error }, 'unexpected error');
  else logger.error({ code: end.code }, end.message);
  process.stderr.write(`\nzuora-usage-update: ${end.message}\n`);
  if (writeSummary) {
    try {
      writeSummary({ status: end.status, exitCode: end.exitCode, error: { code: end.code, message: end.message } });
    } catch {
      // Already reported the run's own error; a summary file that cannot be written adds nothing.
    }
  }
  return end.exitCode;
}
