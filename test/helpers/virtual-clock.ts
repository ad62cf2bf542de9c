/**
 * A clock for the injected `now`/`sleep` of the sender, the throttle, `run` and the simulator: sleeping
 * moves it forward at once instead of waiting, and every requested sleep is kept, so tests assert
 * computed delays and never spend them.
 */
export interface VirtualClock {
  /** Epoch ms: the start (or the real time, with `realTime`) plus everything slept or advanced. */
  now(): number;
  /** Records `ms` and advances the clock by it; resolves at once. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Moves the clock without a sleep (time passing while something else happens). */
  advance(ms: number): void;
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[];
  /** Total ms slept or advanced so far. */
  slept(): number;
}

export interface VirtualClockOptions {
  /** Where the clock starts, epoch ms. Default 1_000_000. */
  start?: number;
  /**
   * Follow the real clock as well (now = Date.now() + skew), for code that also has real waits a fake
   * clock would never end: requests in flight on real sockets, the per-attempt time limit. Default false.
   */
  realTime?: boolean;
}

export function virtualClock({ start = 1_000_000, realTime = false }: VirtualClockOptions = {}): VirtualClock {
  let skew = 0;
  const sleeps: number[] = [];
  return {
    now: () => (realTime ? Date.now() : start) + skew,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      skew += ms;
    },
    advance: (ms: number) => {
      skew += ms;
    },
    sleeps,
    slept: () => skew,
  };
}
