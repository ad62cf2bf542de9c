import { DEFAULTS } from '../options.js';
import { abortableSleep, type Sleep } from './abortable-sleep.js';
import { createThrottlePolicy, type ResponseHeaders } from './throttle-policy.js';

/**
 * Run-wide pacing: the slot queue that carries out the throttle policy (throttle-policy.ts). Every
 * attempt holds a slot from `acquire` to `release`, retries included, so a lowered concurrency takes
 * effect at once. A 429's `Retry-After` and `RateLimit-Remaining: 0` pause every request start.
 */
export interface Throttle {
  /**
   * Waits for a slot: after any pause, within the current concurrency, at the next paced start.
   * Resolves true with a slot held, or false (no slot) when `signal` was aborted first.
   */
  acquire(signal?: AbortSignal): Promise<boolean>;
  /**
   * Takes a slot at once when `acquire` would not have to wait (no pause, a free slot nobody waits for,
   * no pace): true with a slot held. False takes nothing: `acquire` then waits as usual.
   */
  tryAcquire(signal?: AbortSignal): boolean;
  /** Gives the slot back once the attempt is answered (or failed). */
  release(): void;
  /** Zuora asked everyone to wait `ms` (a 429 with `Retry-After`). Extends, never shortens, a pause. */
  pause(ms: number): void;
  /** Reads an answer: its status and the limit headers. */
  observe(status: number, headers: ResponseHeaders): void;
  /** Requests allowed in flight now, between 1 and the maximum. */
  readonly concurrency: number;
  /** Requests holding a slot now. */
  readonly inFlight: number;
  /** Pace between request starts in ms (0 when no rate limit was announced). */
  readonly intervalMs: number;
  /** Pauses Zuora asked for so far (429 `Retry-After`, `RateLimit-Remaining: 0`), and the time they covered in ms (overlaps once). */
  readonly pauses: { count: number; ms: number };
  /** Epoch ms until which no request starts (a pause Zuora asked for); in the past when none. */
  readonly pausedUntil: number;
  /** The upper bound of the concurrency (-c). */
  readonly maxConcurrency: number;
  /** True when Zuora's answers brought the concurrency below -c (not the slow start still climbing). */
  readonly lowered: boolean;
}

/** The throttle's bounds and effects; every field has a default. */
export interface ThrottleOptions {
  /** Upper bound of the concurrency (-c). Default `DEFAULTS.concurrency` (options.ts). */
  maxConcurrency?: number;
  /** Concurrency at the start of the slow start. Default 16 (or -c when smaller), well under Zuora's default limit of 40. */
  initialConcurrency?: number;
  /** Share of an announced rate limit this run uses. Default 0.95. */
  rateShare?: number;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Waits through a pause or to the next paced start (`abortableSleep` by default; tests pass a virtual clock). */
  sleep?: Sleep;
}

/** The run's one throttle, shared by every request (updates, reads and their retries). */
export function createThrottle(options: ThrottleOptions = {}): Throttle {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const policy = createThrottlePolicy({
    maxConcurrency: options.maxConcurrency ?? DEFAULTS.concurrency,
    initialConcurrency: options.initialConcurrency,
    rateShare: options.rateShare,
  });
  let inFlight = 0;
  let pausedUntil = 0;
  const pauses = { count: 0, ms: 0 };
  let nextSlot = 0;
  const waiters: Array<() => void> = [];
  /** Waiters woken for a free slot that have not run yet: the slot is theirs, not a newcomer's (tryAcquire). */
  let woken = 0;

  const wakeWaiters = (): void => {
    // Woken waiters check again for a free slot, so waking one too many is harmless.
    for (let free = policy.concurrency - inFlight - woken; free > 0 && waiters.length > 0; free--) waiters.shift()?.();
  };
  const waitForPause = async (signal?: AbortSignal): Promise<void> => {
    let until = 0;
    // Sleep again only if another 429 extended the pause meanwhile.
    while (pausedUntil > until && !signal?.aborted) {
      until = pausedUntil;
      const wait = until - now();
      if (wait <= 0) return;
      await sleep(wait, signal);
    }
  };
  /** Resolves true when woken for a free slot (counted in `woken` until the waiter runs), false when aborted. */
  const waitForSlot = (signal?: AbortSignal): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      const onAbort = (): void => {
        const at = waiters.indexOf(wake);
        if (at >= 0) waiters.splice(at, 1);
        resolve(false);
      };
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        woken++;
        resolve(true);
      };
      waiters.push(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  const pause = (ms: number): void => {
    const t = now();
    const until = t + ms;
    if (until <= pausedUntil) return;
    if (pausedUntil <= t) pauses.count++;
    pauses.ms += until - Math.max(t, pausedUntil);
    pausedUntil = until;
  };

  return {
    async acquire(signal) {
      for (;;) {
        await waitForPause(signal);
        if (signal?.aborted) return false;
        if (inFlight < policy.concurrency) break;
        if (await waitForSlot(signal)) woken--;
        if (signal?.aborted) return false;
      }
      inFlight++;
      const intervalMs = policy.intervalMs;
      if (intervalMs > 0) {
        const t = now();
        const slot = Math.max(t, nextSlot);
        nextSlot = slot + intervalMs;
        if (slot > t) await sleep(slot - t, signal);
      }
      return true;
    },
    tryAcquire(signal) {
      if (signal?.aborted || waiters.length > 0 || inFlight + woken >= policy.concurrency || policy.intervalMs > 0 || pausedUntil > now()) return false;
      inFlight++;
      return true;
    },
    release() {
      inFlight = Math.max(0, inFlight - 1);
      wakeWaiters();
    },
    pause,
    observe(status, headers) {
      const before = policy.concurrency;
      const pauseMs = policy.observe(status, headers, now());
      if (pauseMs > 0) pause(pauseMs);
      // A raised concurrency lets waiters in at once, not at the next release.
      if (policy.concurrency > before) wakeWaiters();
    },
    get concurrency() {
      return policy.concurrency;
    },
    get inFlight() {
      return inFlight;
    },
    get intervalMs() {
      return policy.intervalMs;
    },
    get pauses() {
      return { ...pauses };
    },
    get pausedUntil() {
      return pausedUntil;
    },
    get maxConcurrency() {
      return policy.maxConcurrency;
    },
    get lowered() {
      return policy.lowered;
    },
  };
}

// auth.ts and zuora-call.ts read headers through the throttle's module.
