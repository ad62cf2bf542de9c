/**
 * How fast the run may go, decided from Zuora's answers alone: how many requests may be in flight, the
 * pace between request starts, and when everyone must wait. Pure: time comes in as a parameter, and the
 * slot queue (throttle.ts) carries the decisions out.
 *
 * Zuora's limits are per tenant and shared with every other integration of that tenant, so the whole
 * run slows down together, not row by row. The control rule (AIMD, as TCP does it):
 * - Slow start: the run begins with 16 requests in flight (or -c if smaller) and doubles them each time a full window
 *   (as many requests as are allowed in flight) succeeded, up to -c, until the first sign of a limit.
 *   Zuora answers an overload with `Retry-After: 120`, so probing gently is far cheaper than a burst.
 * - A 429 means the tenant is over a limit: the concurrency is halved (once per second at most: one
 *   overload answers many requests at once). Its `Retry-After` pause is the throttle's.
 * - Afterwards the concurrency climbs back by one per full window of successes.
 * - `Concurrency-Limit-Limit` caps the concurrency at the tenant's limit less a headroom (a tenth of it,
 *   at least 2) for the tenant's other integrations; `Concurrency-Limit-Remaining` below that headroom
 *   (others are busy) takes one slot away, at most once per second since Zuora samples it about once
 *   a second.
 * - `RateLimit-Limit` (`100, 100;w=1, 6000;w=60`) sets a pace: request starts are spaced evenly at 95%
 *   of the shortest window's rate, so a fixed window never fills up and 5% stays for the tenant's other
 *   integrations. `RateLimit-Remaining: 0` (a longer window used up, or others using the quota) asks
 *   for a pause until `RateLimit-Reset`.
 */
export interface ThrottlePolicy {
  /**
   * Reads one answer (its status and limit headers) received at `now` (epoch ms). Returns the pause in
   * ms every request must wait before starting (`RateLimit-Remaining: 0`), or 0 for none. Allocates
   * nothing: it runs once per request.
   */
  observe(status: number, headers: ResponseHeaders, now: number): number;
  /** Requests allowed in flight now, between 1 and the maximum. */
  readonly concurrency: number;
  /** Pace between request starts in ms (0 when no rate limit was announced). */
  readonly intervalMs: number;
  /** The upper bound of the concurrency (-c). */
  readonly maxConcurrency: number;
  /** True when Zuora's answers brought the concurrency below -c (not the slow start still climbing). */
  readonly lowered: boolean;
}

/** The policy's bounds. */
export interface ThrottlePolicyOptions {
  /** Upper bound of the concurrency (-c). */
  maxConcurrency: number;
  /** Concurrency at the start of the slow start. Default 16 (or -c when smaller), well under Zuora's default limit of 40. */
  initialConcurrency?: number;
  /** Share of an announced rate limit this run uses. Default 0.95. */
  rateShare?: number;
}

/** Zuora samples its concurrency about once a second, and one overload answers many requests at once. */
const SAMPLE_INTERVAL_MS = 1000;

/** The run's pacing decisions; one per run, fed every answer. */
export function createThrottlePolicy(options: ThrottlePolicyOptions): ThrottlePolicy {
  const max = options.maxConcurrency;
  const rateShare = options.rateShare ?? 0.95;
  let concurrency = Math.min(max, options.initialConcurrency ?? 16);
  let slowStart = true;
  let ceiling = max;
  let successes = 0;
  let lastCut = -Infinity;
  let lastHalving = -Infinity;
  let intervalMs = 0;
  let announcedLimit = '';

  const setConcurrency = (value: number): void => {
    concurrency = Math.max(1, Math.min(max, ceiling, value));
    successes = 0;
  };

  return {
    observe(status, headers, now) {
      if (status === 429) {
        slowStart = false;
        if (now - lastHalving >= SAMPLE_INTERVAL_MS) {
          lastHalving = now;
          setConcurrency(Math.floor(concurrency / 2));
        }
        return 0;
      }
      const rateLimit = headerValue(headers, 'ratelimit-limit');
      if (rateLimit !== undefined && rateLimit !== announcedLimit) {
        announcedLimit = rateLimit;
        intervalMs = paceFor(rateLimit, rateShare);
      }
      let pauseMs = 0;
      if (headerValue(headers, 'ratelimit-remaining') === '0') {
        const reset = Number(headerValue(headers, 'ratelimit-reset'));
        if (Number.isFinite(reset) && reset > 0) pauseMs = reset * 1000;
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
          if (now - lastCut >= SAMPLE_INTERVAL_MS) {
            lastCut = now;
            setConcurrency(concurrency - 1);
          }
          return pauseMs;
        }
      }
      if (status >= 200 && status < 300 && concurrency < Math.min(max, ceiling) && ++successes >= concurrency) {
        setConcurrency(slowStart ? concurrency * 2 : concurrency + 1);
      }
      return pauseMs;
    },
    get concurrency() {
      return concurrency;
    },
    get intervalMs() {
      return intervalMs;
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
