import { RunError } from '../errors.js';
import type { RunSummary } from '../output/summary.js';
import { connect, type Connection } from '../send/connect.js';
import { unreachableAtStart } from './end-of-run.js';
import type { RunContext } from './run-context.js';

/**
 * Connects to Zuora (its first token) for a preview or an applying run, closed when the run ends. An
 * outage before the first row is an early stop like any other (exit 3), with its summary: every
 * record is not reached, nothing was written, and --resume finishes the job.
 */
export async function connectZuora(run: RunContext): Promise<{ connection: Connection } | { unreachable: RunSummary }> {
  const { options, deps, state } = run;
  let connection: Connection;
  try {
    connection = await connect(options, {
      logger: deps.logger,
      stopSignal: state.stopSignal,
      abandonSignal: state.abandonSignal,
      now: run.now,
      sleep: deps.sleep,
      random: deps.random,
      userAgent: deps.userAgent,
      attemptNow: deps.attemptNow,
    });
  } catch (error) {
    if (!(error instanceof RunError && error.code === 'ZUORA_UNREACHABLE')) throw error;
    const summary = unreachableAtStart(error.message, run.input.records, options, run.startedAt, run.now());
    return { unreachable: { ...summary, error: { code: error.code, message: error.message } } };
  }
  run.onExit(() => connection.close());
  return { connection };
}
