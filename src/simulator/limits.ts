/**
 * The tenant's limits on API requests (usage and Actions calls), as Zuora enforces them at its edge: a request rate in fixed
 * windows (per second, per minute) and a most-in-flight count, each refused with 429 + `Retry-After`,
 * and the `RateLimit-*` and `Concurrency-Limit-*` headers every API answer carries.
 *
 * Cheap on purpose: the benchmark pushes tens of thousands of requests a second through these.
 * The server's side of the limits, kept apart from src/send/throttle.ts on purpose: it checks the client.
 */

import type { Answer } from './answers.js';
import { type LimitReason, rateLimitedAnswer } from './faults.js';

/** Body shape of limit 429s; `rotate` cycles v1, code, crud across all of them. */
export type LimitBodyShape = 'v1' | 'code' | 'crud' | 'rotate';

interface RateWindow {
  limit: number;
  sizeMs: number;
  /** Number of the current window: floor(t / sizeMs). */
  id: number;
  /** Requests counted in the current window, refused ones included. */
  count: number;
  /** `RateLimit-Limit` when this window is the one closest to running out. */
  limitHeader: string;
}

/** Fixed windows aligned to the simulator clock, as Zuora's per-minute (and finer) limits. */
export class RateLimit {
  private readonly windows: RateWindow[] = [];

  constructor(limits: { perSecond?: number; perMinute?: number }) {
    if (limits.perSecond !== undefined) this.windows.push(rateWindow('rateLimit.perSecond', limits.perSecond, 1000));
    if (limits.perMinute !== undefined) this.windows.push(rateWindow('rateLimit.perMinute', limits.perMinute, 60_000));
    const policies = this.windows.map((w) => `${w.limit};w=${w.sizeMs / 1000}`).join(', ');
    for (const w of this.windows) w.limitHeader = `${w.limit}, ${policies}`;
  }

  /** Whether any window is configured. */
  get enabled(): boolean {
    return this.windows.length > 0;
  }

  /**
   * Counts one API request arriving at `t` (epoch ms) in the window of its arrival; refused requests
   * count too, as at Zuora. Returns 0 when within every limit, else the `Retry-After` seconds: until the
   * over-limit window (the latest ending, when several) ends, rounded up, at least 1.
   */
  count(t: number): number {
    let waitMs = 0;
    for (const w of this.windows) {
      roll(w, t);
      w.count += 1;
      if (w.count > w.limit) waitMs = Math.max(waitMs, (w.id + 1) * w.sizeMs - t);
    }
    return waitMs === 0 ? 0 : Math.max(1, Math.ceil(waitMs / 1000));
  }

  /**
   * Adds `RateLimit-Limit`, `-Remaining` and `-Reset` as of `t`, for the window closest to running out
   * (fewest remaining; on a tie the one that resets later). Reset is in whole seconds, rounded up (so at
   * least 1), so a client that waits for it never comes back early.
   */
  addHeaders(t: number, headers: Record<string, string>): void {
    let chosen: RateWindow | undefined;
    let remaining = Infinity;
    let resetMs = 0;
    for (const w of this.windows) {
      roll(w, t);
      const left = Math.max(0, w.limit - w.count);
      const ends = (w.id + 1) * w.sizeMs - t;
      if (left < remaining || (left === remaining && ends > resetMs)) {
        chosen = w;
        remaining = left;
        resetMs = ends;
      }
    }
    if (chosen === undefined) return;
    headers['RateLimit-Limit'] = chosen.limitHeader;
    headers['RateLimit-Remaining'] = String(remaining);
    headers['RateLimit-Reset'] = String(Math.ceil(resetMs / 1000));
  }
}

function rateWindow(name: string, limit: number, sizeMs: number): RateWindow {
  if (!(Number.isInteger(limit) && limit > 0)) throw new RangeError(`${name} must be a whole number of requests > 0, got ${limit}`);
  return { limit, sizeMs, id: -Infinity, count: 0, limitHeader: '' };
}

/** Moves the window forward to the one holding `t`; a clock that steps back stays in the current window. */
function roll(w: RateWindow, t: number): void {
  const id = Math.floor(t / w.sizeMs);
  if (id > w.id) {
    w.id = id;
    w.count = 0;
  }
}

/** Most API requests being handled at once; a holder keeps its slot until released. */
export class ConcurrencyLimit {
  private readonly holders = new Set<object>();
  private readonly limitText: string;

  constructor(readonly limit: number) {
    if (!(Number.isInteger(limit) && limit > 0)) throw new RangeError(`concurrencyLimit must be a whole number > 0, got ${limit}`);
    this.limitText = String(limit);
  }

  /** Takes a slot for `holder`; false (and no slot) when every slot is taken. */
  acquire(holder: object): boolean {
    if (this.holders.size >= this.limit) return false;
    this.holders.add(holder);
    return true;
  }

  /** Frees the slot of `holder`, if it has one; safe to call more than once. */
  release(holder: object): void {
    this.holders.delete(holder);
  }

  /** Adds `Concurrency-Limit-*`; Remaining counts the slots free now (the answering request still holds its own). */
  addHeaders(headers: Record<string, string>): void {
    headers['Concurrency-Limit-Type'] = 'Default';
    headers['Concurrency-Limit-Limit'] = this.limitText;
    headers['Concurrency-Limit-Remaining'] = String(Math.max(0, this.limit - this.holders.size));
  }
}

/** The 429 answers of the limits, built once per shape, reason and Retry-After and reused. */
export class LimitAnswers {
  private readonly cache = new Map<string, Answer>();
  private turn = 0;

  constructor(private readonly shape: LimitBodyShape | undefined) {}

  answer(reason: LimitReason, retryAfterSeconds: number): Answer {
    const shape = this.shapeFor(reason);
    const key = `${shape} ${reason} ${retryAfterSeconds}`;
    let answer = this.cache.get(key);
    if (answer === undefined) {
      answer = rateLimitedAnswer(retryAfterSeconds, shape, reason);
      this.cache.set(key, answer);
    }
    return answer;
  }

  private shapeFor(reason: LimitReason): 'v1' | 'code' | 'crud' {
    switch (this.shape) {
      case undefined:
        return reason === 'rate' ? 'v1' : 'code';
      case 'rotate': {
        const shape = ROTATION[this.turn % ROTATION.length] as 'v1' | 'code' | 'crud';
        this.turn += 1;
        return shape;
      }
      default:
        return this.shape;
    }
  }
}

const ROTATION = ['v1', 'code', 'crud'] as const;
