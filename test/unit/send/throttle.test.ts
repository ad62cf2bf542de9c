import { describe, expect, it } from 'vitest';
import { createThrottle } from '../../../src/send/throttle.js';
import { virtualClock as clock } from '../../helpers/virtual-clock.js';

/** Runs every queued promise continuation (a macrotask comes after all of them). */
function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Acquires and releases one slot. */
async function pass(throttle: ReturnType<typeof createThrottle>): Promise<void> {
  expect(await throttle.acquire()).toBe(true);
  throttle.release();
}

describe('pauses', () => {
  it('lets requests through at once when not paused', async () => {
    const c = clock();
    await pass(createThrottle(c));
    expect(c.sleeps).toEqual([]);
  });

  it('holds every request until the pause has passed', async () => {
    const c = clock();
    const throttle = createThrottle(c);
    throttle.pause(120_000);
    c.advance(20_000);
    await pass(throttle);
    expect(c.sleeps).toEqual([100_000]);
    await pass(throttle);
    expect(c.sleeps).toEqual([100_000]);
  });

  it('counts the pauses Zuora asked for and the time they covered, overlaps once', () => {
    const c = clock();
    const throttle = createThrottle(c);
    expect(throttle.pauses).toEqual({ count: 0, ms: 0 });
    throttle.pause(5000);
    throttle.pause(1000);
    c.advance(2000);
    throttle.pause(4000);
    c.advance(10_000);
    throttle.pause(500);
    expect(throttle.pauses).toEqual({ count: 2, ms: 6500 });
  });

  it('a shorter pause never shortens a longer one', async () => {
    const c = clock();
    const throttle = createThrottle(c);
    throttle.pause(5000);
    throttle.pause(1000);
    await pass(throttle);
    expect(c.sleeps).toEqual([5000]);
  });

  it('sleeps again when the pause is extended while waiting', async () => {
    const c = clock();
    const throttle = createThrottle({
      now: c.now,
      sleep: async (ms) => {
        await c.sleep(ms);
        if (c.sleeps.length === 1) throttle.pause(3000);
      },
    });
    throttle.pause(1000);
    await pass(throttle);
    expect(c.sleeps).toEqual([1000, 3000]);
  });

  it('gives up waiting when aborted', async () => {
    const c = clock();
    const throttle = createThrottle(c);
    throttle.pause(1000);
    const controller = new AbortController();
    controller.abort();
    expect(await throttle.acquire(controller.signal)).toBe(false);
    expect(throttle.inFlight).toBe(0);
  });
});

describe('slots', () => {
  it('never hands out more slots than the current concurrency; a release lets the next one in', async () => {
    const throttle = createThrottle({ maxConcurrency: 2, initialConcurrency: 2 });
    await throttle.acquire();
    await throttle.acquire();
    let third = false;
    const pending = throttle.acquire().then(() => (third = true));
    // Let every settled promise run: a slot handed out wrongly would have resolved by now.
    await flushPromises();
    expect(third).toBe(false);
    throttle.release();
    await pending;
    expect(third).toBe(true);
    expect(throttle.inFlight).toBe(2);
  });

  it('a waiter leaves the queue when aborted', async () => {
    const throttle = createThrottle({ maxConcurrency: 1, initialConcurrency: 1 });
    await throttle.acquire();
    const controller = new AbortController();
    const waiting = throttle.acquire(controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    throttle.release();
    expect(throttle.inFlight).toBe(0);
  });
});

describe('carrying out the policy (its decisions: throttle-policy.test.ts)', () => {
  it('a lowered concurrency holds new requests; a raised one lets a waiter in without a release', async () => {
    const throttle = createThrottle({ maxConcurrency: 4, initialConcurrency: 2 });
    await throttle.acquire();
    throttle.observe(429, {});
    expect(throttle.concurrency).toBe(1);
    expect(throttle.lowered).toBe(true);
    let second = false;
    const pending = throttle.acquire().then(() => (second = true));
    await flushPromises();
    expect(second).toBe(false);
    // One window of successes (1 request) climbs back to 2: a slot is free with the first still held.
    throttle.observe(200, {});
    await flushPromises();
    expect(second).toBe(true);
    await pending;
    expect(throttle.inFlight).toBe(2);
  });
});

describe('rate pacing', () => {
  it('spaces request starts evenly once a rate limit is announced', async () => {
    const c = clock();
    const throttle = createThrottle({ now: c.now, sleep: c.sleep, rateShare: 1 });
    throttle.observe(200, { 'ratelimit-limit': '10, 10;w=1' });
    expect(throttle.intervalMs).toBe(100);
    for (let i = 0; i < 4; i++) await pass(throttle);
    expect(c.sleeps).toEqual([100, 100, 100]);
  });

  it('waits for RateLimit-Reset when nothing remains in the window', async () => {
    const c = clock();
    const throttle = createThrottle({ now: c.now, sleep: c.sleep });
    throttle.observe(200, { 'ratelimit-remaining': '0', 'ratelimit-reset': '2' });
    await pass(throttle);
    expect(c.sleeps).toEqual([2000]);
  });

  it('does not spin when the injected clock does not move: one sleep, then the slot', async () => {
    const sleeps: number[] = [];
    const throttle = createThrottle({
      now: () => 0,
      // A spinning acquire never yields to a timer, so a test timeout would never fire: fail on the sleep count instead.
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length > 10) throw new Error(`acquire spins: ${sleeps.length} sleeps for one pause`);
      },
    });
    throttle.pause(1000);
    expect(await throttle.acquire()).toBe(true);
    expect(sleeps).toEqual([1000]);
  });
});

describe('tryAcquire: a slot at once, only when acquire would not wait', () => {
  it('takes a free slot, and none once every slot is held', () => {
    const throttle = createThrottle({ ...clock(), maxConcurrency: 2 });
    expect(throttle.tryAcquire()).toBe(true);
    expect(throttle.tryAcquire()).toBe(true);
    expect(throttle.inFlight).toBe(2);
    expect(throttle.tryAcquire()).toBe(false);
    expect(throttle.inFlight).toBe(2);
    throttle.release();
    expect(throttle.tryAcquire()).toBe(true);
  });

  it('takes nothing during a pause Zuora asked for, and again once it has passed', () => {
    const c = clock();
    const throttle = createThrottle(c);
    throttle.pause(1000);
    expect(throttle.tryAcquire()).toBe(false);
    expect(throttle.inFlight).toBe(0);
    c.advance(1000);
    expect(throttle.tryAcquire()).toBe(true);
  });

  it('never jumps ahead of a request already waiting for a slot', async () => {
    const throttle = createThrottle({ ...clock(), maxConcurrency: 1 });
    expect(throttle.tryAcquire()).toBe(true);
    let waiterGotSlot = false;
    const waiting = throttle.acquire().then((got) => (waiterGotSlot = got));
    await flushPromises();
    throttle.release();
    // The slot freed belongs to the waiter, woken but not yet run.
    expect(throttle.tryAcquire()).toBe(false);
    await waiting;
    expect(waiterGotSlot).toBe(true);
  });

  it('takes nothing once the signal is aborted, or while requests are paced', () => {
    const aborted = AbortSignal.abort();
    expect(createThrottle(clock()).tryAcquire(aborted)).toBe(false);
    const paced = createThrottle(clock());
    paced.observe(200, { 'ratelimit-limit': '10, 10;w=1' });
    expect(paced.intervalMs).toBeGreaterThan(0);
    expect(paced.tryAcquire()).toBe(false);
    expect(paced.inFlight).toBe(0);
  });
});
