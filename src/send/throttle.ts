/**
 * Run-wide pacing: how many requests may be in flight, and when the next may start. Zuora's limits are
 * per tenant and shared with every other integration of that tenant, so the whole run slows down
 * together, not row by row.
 *
 * The control rule:
 * - A 429 means the tenant is over a limit: no request starts until its `Retry-After` has passed, and
 *   the concurrency is halved (multiplicative decrease).
 * - While requests succeed, the concurrency climbs back by one each time a full window of requests
 *   (as many as the current concurrency) succeeded since the last change (additive increase), up to -c.
 * - `Concurrency-Limit-Remaining` below the headroom (a tenth of `Concurrency-Limit-Limit`, at least 2)
 *   takes one slot away, at most once per second since Zuora samples it about once a second; so other
 *   integrations of the tenant keep room before Zuora has to say 429.
 * - `RateLimit-Limit` (`100, 100;w=1, 6000;w=60`) sets a pace: request starts are spaced evenly at
 *   95% of the shortest window's rate, so a fixed window never fills up and 5% stays for the tenant's
 *   other integrations. `RateLimit-Remaining: 0` (a longer window used up, or others using the quota)
 *   waits for `RateLimit-Reset`.
 */
export interface Throttle {
  /** Resolves when a new request may start (after any pause, at the next paced slot), or early when `signal` is aborted. */
  ready(signal?: AbortSignal): Promise<void>;
  /** Zuora asked everyone to wait `ms` (a 429 with `Retry-After`). Extends, never shortens, a pause. */
  pause(ms: number): void;
  /** Reads an answer: its status and the limit headers. */
  observe(status: number, headers: Record<string, string | string[] | undefined>): void;
  /** Requests allowed in flight now, between 1 and the maximum. */
  readonly concurrency: number;
  /** Pace between request starts in ms (0 when no rate limit was announced). */
  readonly intervalMs: number;
}

export interface ThrottleOptions {
  /** Upper bound of the concurrency (-c). Default 8. */
  maxConcurrency?: number;
  /** Share of an announced rate limit this run uses. Default 0.95. */
  rateShare?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const SAMPLE_INTERVAL_MS = 1000;

export function createThrottle(options: ThrottleOptions = {}): Throttle {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const max = options.maxConcurrency ?? 8;
  const rateShare = options.rateShare ?? 0.95;
  let pausedUntil = 0;
  let concurrency = max;
  let successes = 0;
  let lastHeadroomCut = -Infinity;
  let intervalMs = 0;
  let nextSlot = 0;
  let announcedLimit = '';

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

  return {
    async ready(signal) {
      await waitForPause(signal);
      if (intervalMs === 0 || signal?.aborted) return;
      const t = now();
      const slot = Math.max(t, nextSlot);
      nextSlot = slot + intervalMs;
      if (slot > t) await sleep(slot - t, signal);
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
    observe(status, headers) {
      if (status === 429) {
        concurrency = Math.max(1, Math.floor(concurrency / 2));
        successes = 0;
        return;
      }
      const rateLimit = first(headers['ratelimit-limit']);
      if (rateLimit !== undefined && rateLimit !== announcedLimit) {
        announcedLimit = rateLimit;
        intervalMs = paceFor(rateLimit, rateShare);
      }
      if (first(headers['ratelimit-remaining']) === '0') {
        const reset = Number(first(headers['ratelimit-reset']));
        if (Number.isFinite(reset) && reset > 0) this.pause(reset * 1000);
      }
      const limit = Number(first(headers['concurrency-limit-limit']));
      const remaining = Number(first(headers['concurrency-limit-remaining']));
      if (Number.isFinite(limit) && Number.isFinite(remaining) && limit > 0) {
        const headroom = Math.max(2, Math.ceil(limit / 10));
        if (remaining < headroom) {
          const t = now();
          if (t - lastHeadroomCut >= SAMPLE_INTERVAL_MS) {
            lastHeadroomCut = t;
            concurrency = Math.max(1, concurrency - 1);
            successes = 0;
          }
          return;
        }
      }
      if (status >= 200 && status < 300 && concurrency < max && ++successes >= concurrency) {
        concurrency++;
        successes = 0;
      }
    },
    get concurrency() {
      return concurrency;
    },
    get intervalMs() {
      return intervalMs;
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

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
