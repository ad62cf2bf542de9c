import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms` milliseconds, or less if `signal` is aborted first; never rejects. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** What a stage that retries waits with, passed in so tests replace real time (STYLE 4, 12). */
export interface WaitEffects {
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Waits before a retry or through a pause (`abortableSleep` by default; tests pass a virtual clock). */
  sleep?: Sleep;
  /** Random numbers in [0, 1) for the retry jitter. Default `Math.random`. */
  random?: () => number;
}

/**
 * The production sleep of every stage that waits (backoff, a 429 pause, paced starts): `ms`, or less
 * if `signal` is aborted first. Never rejects: the caller checks the signal.
 */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // Aborted: the caller checks the signal.
  }
}
