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
  return new AimdPolicy(options);
}

// A class rather than a closure: its state is read on every acquire, and plain fields are the cheapest read.
class AimdPolicy implements ThrottlePolicy {
  concurrency: number;
  intervalMs = 0;
  readonly maxConcurrency: number;
  private readonly rateShare: number;
  private slowStart = true;
  private ceiling: number;
  private successes = 0;
  private lastCut = -Infinity;
  private lastHalving = -Infinity;
  private announcedLimit = '';

  constructor(options: ThrottlePolicyOptions) {
    this.maxConcurrency = options.maxConcurrency;
    this.ceiling = options.maxConcurrency;
    this.rateShare = options.rateShare ?? 0.95;
    this.concurrency = Math.min(options.maxConcurrency, options.initialConcurrency ?? 16);
  }

  get lowered(): boolean {
    return !this.slowStart && this.concurrency < this.maxConcurrency;
  }

  observe(status: number, headers: ResponseHeaders, now: number): number {
    if (status === 429) {
      this.slowStart = false;
      if (now - this.lastHalving >= SAMPLE_INTERVAL_MS) {
        this.lastHalving = now;
        this.setConcurrency(Math.floor(this.concurrency / 2));
      }
      return 0;
    }
    const rateLimit = headerValue(headers, 'ratelimit-limit');
    if (rateLimit !== undefined && rateLimit !== this.announcedLimit) {
      this.announcedLimit = rateLimit;
      this.intervalMs = paceFor(rateLimit, this.rateShare);
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
      if (newCeiling !== this.ceiling) {
        this.ceiling = newCeiling;
        if (this.concurrency > this.ceiling) {
          this.slowStart = false;
          this.setConcurrency(this.concurrency);
        }
      }
      if (Number.isFinite(remaining) && remaining < headroom) {
        this.slowStart = false;
        if (now - this.lastCut >= SAMPLE_INTERVAL_MS) {
          this.lastCut = now;
          this.setConcurrency(this.concurrency - 1);
        }
        return pauseMs;
      }
    }
    if (status >= 200 && status < 300 && this.concurrency < Math.min(this.maxConcurrency, this.ceiling) && ++this.successes >= this.concurrency) {
      this.setConcurrency(this.slowStart ? this.concurrency * 2 : this.concurrency + 1);
    }
    return pauseMs;
  }

  private setConcurrency(value: number): void {
    this.concurrency = Math.max(1, Math.min(this.maxConcurrency, this.ceiling, value));
    this.successes = 0;
  }
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
