/**
 * A SIGINT or SIGTERM while the CLI is still loading its modules (a few hundred ms on a busy machine)
 * would kill the process by Node's default action, before anything could write the summary JSON's
 * final status. The bin holds such signals from its first line until the command has its own
 * listeners, then hands them over (`replayEarlySignals`): the run is interrupted as if the signal came
 * a moment later.
 */

type SignalEmitter = Pick<NodeJS.Process, 'on' | 'off' | 'emit'>;

let held: { emitter: SignalEmitter; caught: NodeJS.Signals[]; listener: (name: NodeJS.Signals) => void } | undefined;

/** Starts holding SIGINT and SIGTERM (`process` in production). */
export function holdEarlySignals(emitter: SignalEmitter = process): void {
  if (held) return;
  const caught: NodeJS.Signals[] = [];
  const listener = (name: NodeJS.Signals): void => {
    caught.push(name);
  };
  emitter.on('SIGINT', listener);
  emitter.on('SIGTERM', listener);
  held = { emitter, caught, listener };
}

/**
 * Stops holding, and emits the first signal held (if any) to the listeners the command has installed
 * meanwhile. Returns it. Later signals in the same moment are one request (interrupts.ts), so only the
 * first is passed on. Does nothing when nothing is held.
 */
export function replayEarlySignals(): NodeJS.Signals | undefined {
  if (!held) return undefined;
  const { emitter, caught, listener } = held;
  held = undefined;
  emitter.off('SIGINT', listener);
  emitter.off('SIGTERM', listener);
  const first = caught[0];
  if (first !== undefined) emitter.emit(first, first);
  return first;
}
