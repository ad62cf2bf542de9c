import { EXIT, RunError } from '../errors.js';
import type { RunFailure } from '../output/summary-json.js';

/** How a run that ended by an error is reported: its exit code, its status in `--summary-json`, and why. */
export interface ErrorExit extends RunFailure {
  /** Not a RunError: a bug or an outside failure, logged with its stack. */
  unexpected: boolean;
}

/**
 * RunErrors are start failures (exit 1), an unreachable Zuora (3) or an interrupt before the first row (130); anything else is
 * unexpected and may have come after rows were sent (exit 3: the results hold the rows done, `--resume`
 * continues).
 */
export function errorExit(error: unknown): ErrorExit {
  if (error instanceof RunError) {
    const interrupted = error.code === 'INTERRUPTED';
    // An unreachable Zuora is an outage, not a setup problem: exit 3 whenever it happens (SPEC "Exit codes").
    const unreachable = error.code === 'ZUORA_UNREACHABLE';
    return {
      exitCode: interrupted ? EXIT.interrupted : unreachable ? EXIT.stoppedEarly : EXIT.couldNotStart,
      status: interrupted ? 'interrupted' : unreachable ? 'stopped' : 'not-started',
      code: error.code,
      message: error.message,
      unexpected: false,
    };
  }
  return {
    exitCode: EXIT.stoppedEarly,
    status: 'stopped',
    code: 'UNEXPECTED',
    message: `stopped by an unexpected error: ${error instanceof Error ? error.message : String(error)}. The results hold the rows done; run again with --resume.`,
    unexpected: true,
  };
}
