/**
 * Per-attempt time limits without a timer per request. got's own `timeout` option arms timers and
 * listeners on every request, a measurable share of the CPU per row at thousands of rows per second;
 * one sweep over the requests in flight does the same job at a fraction of the cost.
 */

/** A request that can be given up: got's promise (`PCancelable`). */
export interface Cancelable {
  cancel(reason?: string): void;
}

/** The time limits of the requests in flight, checked by one periodic sweep. */
export interface Deadlines {
  /** Gives `request` `timeoutMs` to settle; returns the function to call once it has. */
  watch(request: Cancelable, timeoutMs: number): () => void;
  /** Why a canceled request was canceled: its time ran out, or everything in flight was abandoned. */
  reasonOf(request: Cancelable): 'timeout' | 'abandoned' | undefined;
  /** Cancels every request in flight (an interrupt's grace period is over). */
  abandonAll(): void;
  /** Stops the sweep. */
  close(): void;
}

/** The sweep's pace and clock. */
export interface DeadlinesOptions {
  /** The usual time limit, used to pick how often to sweep: a tenth of it, between 10 ms and 1 s. */
  timeoutMs: number;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** Starts the sweep; `close()` stops it. */
export function createDeadlines(options: DeadlinesOptions): Deadlines {
  const now = options.now ?? Date.now;
  const inFlight = new Map<Cancelable, number>();
  const reasons = new WeakMap<Cancelable, 'timeout' | 'abandoned'>();
  const cancel = (request: Cancelable, reason: 'timeout' | 'abandoned'): void => {
    reasons.set(request, reason);
    inFlight.delete(request);
    request.cancel(reason);
  };
  const sweepMs = Math.min(1000, Math.max(10, Math.floor(options.timeoutMs / 10)));
  const timer = setInterval(() => {
    const t = now();
    for (const [request, deadline] of inFlight) if (deadline <= t) cancel(request, 'timeout');
  }, sweepMs);
  // Requests in flight keep the process alive through their sockets; the sweep alone must not.
  timer.unref();
  return {
    watch(request, timeoutMs) {
      inFlight.set(request, now() + timeoutMs);
      return () => inFlight.delete(request);
    },
    reasonOf: (request) => reasons.get(request),
    abandonAll() {
      for (const request of [...inFlight.keys()]) cancel(request, 'abandoned');
    },
    close() {
      clearInterval(timer);
    },
  };
}
