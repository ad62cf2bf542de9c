/**
 * Waits until `condition()` holds, polling every `intervalMs`: for an event in another process or on
 * a socket that no callback announces (a request reaching the simulator, a child writing a file).
 * Throws after `timeoutMs` naming `what`, so a test never hangs until the vitest timeout.
 */
export async function waitFor(
  condition: () => boolean,
  { timeoutMs = 10_000, intervalMs = 5, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Lets the event loop run `n` times, for what callbacks settle within a few turns (no timers, no wall clock). */
export async function eventLoopTurns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}
