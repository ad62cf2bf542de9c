import { writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { EXIT, RunError } from '../errors.js';
import type { Summary } from '../output/summary.js';
import {
  failedSummaryJson,
  finishedSummaryJson,
  runFinishedFields,
  runFinishedLevel,
  runningSummaryJson,
  type RunFailure,
  type SummaryJsonContext,
  type SummaryJsonV1,
} from '../output/summary-json.js';

/** Writes `--summary-json` whole (synchronously: it is also written from the process's `exit` event). */
function writeSummaryJson(path: string, content: SummaryJsonV1): void {
  try {
    writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
  } catch (error) {
    throw new RunError('OUTPUT_UNWRITABLE', `Cannot write --summary-json ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** What the run has learnt so far, for the summary JSON and the "run finished" record. */
export type RunFacts = Pick<SummaryJsonContext, 'path' | 'options'>;

/**
 * How one run ends, on every exit path: the summary JSON's final status (when `--summary-json` was
 * given and its path checked), then the `run finished` log record, the last one. The first end wins;
 * later calls and the exit do nothing.
 */
export interface RunEnd {
  /** Records what the run knows: the `--summary-json` path once the outputs are checked, the options once built. */
  learn(facts: RunFacts): void;
  /**
   * Writes `running` to the summary JSON at once (so a monitor never reads last night's summary, and
   * an unwritable path fails before sending); throws RunError('OUTPUT_UNWRITABLE').
   */
  running(): void;
  /** The run ended with a summary (exit 0, 2, 3 or 130). */
  finished(summary: Summary): void;
  /** The run ended by an error (errorExit). */
  failed(failure: RunFailure): void;
}

export interface RunEndDeps {
  logger: Logger;
  version: string;
  now: () => number;
  /** `process.once('exit')` in production: a second SIGINT/SIGTERM exits at once, and so may a crash. */
  onExit?: (listener: (code: number) => void) => void;
  /** Log the "run finished" record (`--log-format json`: the summary as one line). Default true. */
  runFinishedRecord?: boolean;
}

/**
 * Starts watching a run's end. If the process exits before the run ended on its own (a second signal
 * exits at once, a crash), the `exit` event writes how it ended, so the summary JSON never stays at
 * `running` and the log still ends with `run finished`.
 */
export function watchRunEnd(deps: RunEndDeps): RunEnd {
  const startedAt = deps.now();
  let facts: RunFacts = {};
  let ended = false;
  const context = (): SummaryJsonContext => ({ version: deps.version, ...facts, startedAt, now: deps.now() });
  const end = (doc: SummaryJsonV1): void => {
    if (ended) return;
    ended = true;
    if (doc.outputs.summaryJson !== null) {
      try {
        writeSummaryJson(doc.outputs.summaryJson, doc);
      } catch (error) {
        deps.logger.error({ code: (error as RunError).code }, (error as Error).message);
      }
    }
    if (deps.runFinishedRecord !== false) deps.logger[runFinishedLevel(doc.exitCode ?? EXIT.stoppedEarly)](runFinishedFields(doc), 'run finished');
  };
  (deps.onExit ?? ((listener) => process.once('exit', listener)))((code) => {
    const interrupted = code === EXIT.interrupted;
    const message = interrupted
      ? 'interrupted again: exited at once, without waiting for the requests in flight (their rows have no result). Run again with --resume.'
      : `exited with code ${code} before the run ended. The results hold the rows done; run again with --resume.`;
    try {
      end(failedSummaryJson({ exitCode: code, status: interrupted ? 'interrupted' : 'stopped', code: interrupted ? 'INTERRUPTED' : 'EXITED', message }, context()));
    } catch {
      // The process is exiting: nowhere left to report it.
    }
  });
  return {
    learn(learnt) {
      facts = { ...facts, ...learnt };
    },
    running() {
      const doc = runningSummaryJson(context());
      if (doc.outputs.summaryJson === null) return;
      try {
        writeSummaryJson(doc.outputs.summaryJson, doc);
      } catch (error) {
        // Reported once, as the run's own error: the end does not try the same path again.
        facts = { ...facts, path: undefined };
        throw error;
      }
    },
    finished: (summary) => end(finishedSummaryJson(summary, context())),
    failed: (failure) => end(failedSummaryJson(failure, context())),
  };
}
