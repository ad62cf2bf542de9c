/**
 * Run-wide pacing. A 429 is Zuora saying the whole tenant is over its limit, not this row: every
 * request waits until the `Retry-After` has passed, so no request starts in between.
 */
export interface Throttle {
  /** Resolves when a new request may start. */
  ready(): Promise<void>;
  /** Zuora asked everyone to wait `ms` (a 429 with `Retry-After`). Extends, never shortens, a pause. */
  pause(ms: number): void;
}

export interface ThrottleOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function createThrottle(options: ThrottleOptions = {}): Throttle {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let pausedUntil = 0;
  return {
    async ready() {
      // Loop: the pause may be extended by another 429 while we slept.
      for (let wait = pausedUntil - now(); wait > 0; wait = pausedUntil - now()) await sleep(wait);
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
  };
}
