import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { RunSummary } from '../output/summary.js';
import type { StopDecision } from './stop-policy.js';

/**
 * The run-level facts in one place: whether the run stops early (and why) or was interrupted. Stages
 * read its two signals; only the run decides to stop, from what the stop policy says.
 */
export interface RunState {
  /** Aborted once no new row may start (an early stop or an interrupt); retries stop too. */
  readonly stopSignal: AbortSignal;
  /** Aborted `graceMs` after an interrupt: requests still unanswered are abandoned (`unknown`). */
  readonly abandonSignal: AbortSignal;
  /** Stops the run early; the first reason wins, and an interrupt already under way wins over it. */
  stopEarly(decision: StopDecision): void;
  /** How the run ends if it ends now. */
  readonly status: RunSummary['status'];
  readonly stop: StopDecision | undefined;
  /** Stops listening to the interrupt signal. */
  dispose(): void;
}

/** Where interrupts come from and how long in-flight requests get after one. */
export interface RunStateOptions {
  /** SIGINT/SIGTERM, from the CLI edge. */
  interrupt?: AbortSignal;
  /** How long in-flight requests may take after an interrupt. */
  graceMs: number;
  /** A second interrupt, from the CLI edge: requests in flight are abandoned at once (their rows end `unknown`). */
  abandonNow?: AbortSignal;
  logger: Logger;
}

/** The run's state, listening to `interrupt` until `dispose()`. */
export function createRunState(options: RunStateOptions): RunState {
  const stopping = new AbortController();
  const abandon = new AbortController();
  // Every row waiting for a slot listens for the stop; that is by design, not a leak.
  setMaxListeners(0, stopping.signal);
  let stop: StopDecision | undefined;
  const onInterrupt = (): void => {
    stopping.abort();
    setTimeout(() => abandon.abort(), options.graceMs).unref();
  };
  if (options.interrupt?.aborted) onInterrupt();
  options.interrupt?.addEventListener('abort', onInterrupt, { once: true });
  const onAbandonNow = (): void => {
    stopping.abort();
    abandon.abort();
  };
  if (options.abandonNow?.aborted) onAbandonNow();
  options.abandonNow?.addEventListener('abort', onAbandonNow, { once: true });
  return {
    stopSignal: stopping.signal,
    abandonSignal: abandon.signal,
    stopEarly(decision) {
      if (stopping.signal.aborted) return;
      stop = decision;
      options.logger.error({ reason: decision.reason }, 'stopping early: no new rows will be sent; in-flight rows finish');
      stopping.abort();
    },
    get status() {
      return stop !== undefined ? 'stopped' : options.interrupt?.aborted ? 'interrupted' : 'completed';
    },
    get stop() {
      return stop;
    },
    dispose() {
      options.interrupt?.removeEventListener('abort', onInterrupt);
      options.abandonNow?.removeEventListener('abort', onAbandonNow);
    },
  };
}
