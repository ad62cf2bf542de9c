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
      let until = 0;
      // Sleep again only if another 429 extended the pause meanwhile.
      while (pausedUntil > until) {
        until = pausedUntil;
        const wait = until - now();
        if (wait <= 0) return;
        await sleep(wait);
      }
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
  };
}
