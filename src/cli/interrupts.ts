/** A repeated signal within this window is the same request (timeout(1) signals the child, then its group). */
export const SIGNAL_REPEAT_MS = 1000;

export interface InterruptWatch {
  /** Aborted at the first SIGINT/SIGTERM: the run finishes in-flight rows and stops. */
  signal: AbortSignal;
  dispose(): void;
}

export interface InterruptDeps {
  /** `process` in production. */
  emitter: { on(name: NodeJS.Signals, listener: (name: NodeJS.Signals) => void): unknown; off(name: NodeJS.Signals, listener: (name: NodeJS.Signals) => void): unknown };
  now: () => number;
  /** The first signal: tell the user, the run stops on its own. */
  onFirst(name: NodeJS.Signals): void;
  /** A second signal, at least SIGNAL_REPEAT_MS later: the user wants out at once. */
  onRepeat(name: NodeJS.Signals): void;
}

/** Listens for SIGINT and SIGTERM: the first interrupts gracefully, a later one exits at once. */
export function watchInterrupts(deps: InterruptDeps): InterruptWatch {
  const interrupt = new AbortController();
  let firstAt: number | undefined;
  const onSignal = (name: NodeJS.Signals): void => {
    const now = deps.now();
    if (firstAt === undefined) {
      firstAt = now;
      deps.onFirst(name);
      interrupt.abort();
    } else if (now - firstAt >= SIGNAL_REPEAT_MS) {
      deps.onRepeat(name);
    }
  };
  deps.emitter.on('SIGINT', onSignal);
  deps.emitter.on('SIGTERM', onSignal);
  return {
    signal: interrupt.signal,
    dispose() {
      deps.emitter.off('SIGINT', onSignal);
      deps.emitter.off('SIGTERM', onSignal);
    },
  };
}
