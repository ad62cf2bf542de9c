import { setTimeout as delay } from 'node:timers/promises';

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
