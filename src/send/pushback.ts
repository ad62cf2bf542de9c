import type { Throttle } from './throttle.js';

/**
 * What holds the run back now, when Zuora pushes back: for the progress bar, so a falling rate is
 * explained where the user looks (SPEC "Outputs", Progress).
 */
export interface Pushback {
  /** Milliseconds left of a pause Zuora asked for (a 429's `Retry-After`, `RateLimit-Remaining: 0`); 0 when none. */
  pausedMs: number;
  /** Calls waiting to be sent again after a failed attempt (backoff), now. */
  retrying: number;
  /** Requests allowed in flight now. */
  concurrency: number;
  /** The most requests in flight the run may use (-c). */
  maxConcurrency: number;
  /** True when Zuora's answers (429, concurrency headers) brought the concurrency below -c. */
  lowered: boolean;
}

/** Counts the calls waiting for their next attempt (zuora-call.ts adds one for each backoff sleep). */
export interface RetryGauge {
  waiting: number;
}

/** A snapshot of what holds the run back, from the run's one throttle and its retry gauge. */
export function readPushback(throttle: Throttle, retries: RetryGauge, now: number): Pushback {
  return {
    pausedMs: Math.max(0, throttle.pausedUntil - now),
    retrying: retries.waiting,
    concurrency: throttle.concurrency,
    maxConcurrency: throttle.maxConcurrency,
    lowered: throttle.lowered,
  };
}
