import { writeFileSync } from 'node:fs';
import { EXIT, RunError } from '../errors.js';

/** Writes `--summary-json` whole (synchronously: it is also written from the process's `exit` event). */
export function writeSummaryJson(path: string, content: object): void {
  try {
    writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
  } catch (error) {
    throw new RunError('OUTPUT_UNWRITABLE', `Cannot write --summary-json ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** A `--summary-json` that says `running` until the run's final status replaces it. */
export interface SummaryJsonFile {
  /** Writes the final status; throws RunError('OUTPUT_UNWRITABLE'). Later exits leave it as it is. */
  final(content: object): void;
}

/** What a process exit (a second signal, a crash) may write: the run's files, for the reader of the file. */
export interface SummaryJsonBase {
  input: string;
  out: string;
  failures: string;
}

/**
 * Writes `running` at once (so a monitor never reads last night's summary, and an unwritable path fails
 * before sending), and makes sure the file never stays at `running`: if the process exits before
 * `final` (a second SIGINT/SIGTERM exits at once, a crash), the `exit` event writes how it ended.
 */
export function openSummaryJson(path: string, base: SummaryJsonBase, onExit: (listener: (code: number) => void) => void = (listener) => process.once('exit', listener)): SummaryJsonFile {
  writeSummaryJson(path, { status: 'running', ...base });
  let finished = false;
  onExit((code) => {
    if (finished) return;
    const interrupted = code === EXIT.interrupted;
    const message = interrupted
      ? 'interrupted again: exited at once, without waiting for the requests in flight (their rows have no result). Run again with --resume.'
      : `exited with code ${code} before the run ended. The results hold the rows done; run again with --resume.`;
    try {
      writeSummaryJson(path, { status: interrupted ? 'interrupted' : 'stopped', exitCode: code, ...base, error: { code: interrupted ? 'INTERRUPTED' : 'EXITED', message } });
    } catch {
      // The process is exiting: nowhere left to report it.
    }
  });
  return {
    final(content) {
      finished = true;
      writeSummaryJson(path, content);
    },
  };
}
