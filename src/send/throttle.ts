import { DEFAULTS } from '../options.js';
import { abortableSleep, type Sleep } from './abortable-sleep.js';

/**
 * Run-wide pacing: how many requests may be in flight, and when the next may start. Zuora's limits are
 * per tenant and shared with every other integration of that tenant, so the whole run slows down
 * together, not row by row. Every attempt holds a slot from `acquire` to `release`, retries included,
 * so a lowered concurrency takes effect at once.
 *
 * The control rule (AIMD, as TCP does it):
 * - Slow start: the run begins with 16 requests in flight (or -c if smaller) and doubles them each time a full window
 *   (as many requests as are allowed in flight) succeeded, up to -c, until the first sign of a limit.
 *   Zuora answers an overload with `Retry-After: 120`, so probing gently is far cheaper than a burst.
 * - A 429 means the tenant is over a limit: no request starts until its `Retry-After` has passed, and
 *   the concurrency is halved (once per second at most: one overload answers many requests at once).
 * - Afterwards the concurrency climbs back by one per full window of successes.
 * - `Concurrency-Limit-Limit` caps the concurrency at the tenant's limit less a headroom (a tenth of it,
 *   at least 2) for the tenant's other integrations; `Concurrency-Limit-Remaining` below that headroom
 *   (others are busy) takes one slot away, at most once per second since Zuora samples it about once
 *   a second.
 * - `RateLimit-Limit` (`100, 100;w=1, 6000;w=60`) sets a pace: request starts are spaced evenly at 95%
 *   of the shortest window's rate, so a fixed window never fills up and 5% stays for the tenant's other
 *   integrations. `RateLimit-Remaining: 0` (a longer window used up, or others using the quota) waits
 *   for `RateLimit-Reset`.
 */
export interface Throttle {
  /**
   * Waits for a slot: after any pause, within the current concurrency, at the next paced start.
   * Resolves true with a slot held, or false (no slot) when `signal` was aborted first.
   */
  acquire(signal?: AbortSignal): Promise<boolean>;
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

const SAMPLE_INTERVAL_MS = 1000;

/** The run's one throttle, shared by every request (updates, reads and their retries). */
export function createThrottle(options: ThrottleOptions = {}): Throttle {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const max = options.maxConcurrency ?? DEFAULTS.concurrency;
  const rateShare = options.rateShare ?? 0.95;
  let concurrency = Math.min(max, options.initialConcurrency ?? 16);
  let slowStart = true;
  let ceiling = max;
  let inFlight = 0;
  let successes = 0;
  let pausedUntil = 0;
  const pauses = { count: 0, ms: 0 };
  let lastCut = -Infinity;
  let lastHalving = -Infinity;
  let intervalMs = 0;
  let nextSlot = 0;
  let announcedLimit = '';
  const waiters: Array<() => void> = [];

  const wakeWaiters = (): void => {
    // Woken waiters check again for a free slot, so waking one too many is harmless.
    const count = Math.min(waiters.length, Math.max(0, concurrency - inFlight));
    for (const wake of waiters.splice(0, count)) wake();
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
  const waitForSlot = (signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      const onAbort = (): void => {
        const at = waiters.indexOf(wake);
        if (at >= 0) waiters.splice(at, 1);
        resolve();
      };
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      waiters.push(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  const setConcurrency = (value: number): void => {
    concurrency = Math.max(1, Math.min(max, ceiling, value));
    successes = 0;
    wakeWaiters();
  };

  return {
    async acquire(signal) {
      for (;;) {
        await waitForPause(signal);
        if (signal?.aborted) return false;
        if (inFlight < concurrency) break;
        await waitForSlot(signal);
        if (signal?.aborted) return false;
      }
      inFlight++;
      if (intervalMs > 0) {
        const t = now();
        const slot = Math.max(t, nextSlot);
        nextSlot = slot + intervalMs;
        if (slot > t) await sleep(slot - t, signal);
      }
      return true;
    },
    release() {
      inFlight = Math.max(0, inFlight - 1);
      wakeWaiters();
    },
    pause(ms) {
      const t = now();
      const until = t + ms;
      if (until <= pausedUntil) return;
      if (pausedUntil <= t) pauses.count++;
      pauses.ms += until - Math.max(t, pausedUntil);
      pausedUntil = until;
    },
    observe(status, headers) {
      const t = now();
      if (status === 429) {
        slowStart = false;
        if (t - lastHalving >= SAMPLE_INTERVAL_MS) {
          lastHalving = t;
          setConcurrency(Math.floor(concurrency / 2));
        }
        return;
      }
      const rateLimit = headerValue(headers, 'ratelimit-limit');
      if (rateLimit !== undefined && rateLimit !== announcedLimit) {
        announcedLimit = rateLimit;
        intervalMs = paceFor(rateLimit, rateShare);
      }
      if (headerValue(headers, 'ratelimit-remaining') === '0') {
        const reset = Number(headerValue(headers, 'ratelimit-reset'));
        if (Number.isFinite(reset) && reset > 0) this.pause(reset * 1000);
      }
      const limit = Number(headerValue(headers, 'concurrency-limit-limit'));
      const remaining = Number(headerValue(headers, 'concurrency-limit-remaining'));
      if (Number.isFinite(limit) && limit > 0) {
        const headroom = Math.max(2, Math.ceil(limit / 10));
        const newCeiling = Math.max(1, limit - headroom);
        if (newCeiling !== ceiling) {
          ceiling = newCeiling;
          if (concurrency > ceiling) {
            slowStart = false;
            setConcurrency(concurrency);
          }
        }
        if (Number.isFinite(remaining) && remaining < headroom) {
          slowStart = false;
          if (t - lastCut >= SAMPLE_INTERVAL_MS) {
            lastCut = t;
            setConcurrency(concurrency - 1);
          }
          return;
        }
      }
      if (status >= 200 && status < 300 && concurrency < Math.min(max, ceiling) && ++successes >= concurrency) {
        setConcurrency(slowStart ? concurrency * 2 : concurrency + 1);
      }
    },
    get concurrency() {
      return concurrency;
    },
    get inFlight() {
      return inFlight;
    },
    get intervalMs() {
      return intervalMs;
    },
    get pauses() {
      return { ...pauses };
    },
    get pausedUntil() {
      return pausedUntil;
    },
    get maxConcurrency() {
      return max;
    },
    get lowered() {
      return !slowStart && concurrency < max;
    },
  };
}

/**
 * Milliseconds between request starts for a `RateLimit-Limit` header: the shortest `<n>;w=<s>` window
 * (where a burst would hit a fixed window first), used at `share` of its rate. Longer windows are
 * left to `RateLimit-Remaining: 0`. 0 when the header names no window.
 */
export function paceFor(header: string, share: number): number {
  let best: { count: number; windowSeconds: number } | undefined;
  for (const part of header.split(',')) {
    const match = /^\s*(\d+)\s*;\s*w\s*=\s*(\d+)/.exec(part);
    if (!match) continue;
    const count = Number(match[1]);
    const windowSeconds = Number(match[2]);
    if (count <= 0 || windowSeconds <= 0) continue;
    if (!best || windowSeconds < best.windowSeconds || (windowSeconds === best.windowSeconds && count < best.count)) {
      best = { count, windowSeconds };
    }
  }
  return best ? (best.windowSeconds * 1000) / (best.count * share) : 0;
}

/** Response headers as Node gives them: lower-case names, a repeated header as an array. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** The value of a response header (`name` in lower case); the first one when it came more than once. */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
