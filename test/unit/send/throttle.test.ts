import { describe, expect, it } from 'vitest';
import { createThrottle, paceFor } from '../../../src/send/throttle.js';
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

describe('adaptive concurrency', () => {
  it('slow start: begins at 16 and doubles per window of successes up to -c', () => {
    const throttle = createThrottle({ maxConcurrency: 64 });
    expect(throttle.concurrency).toBe(16);
    for (let i = 0; i < 16; i++) throttle.observe(200, {});
    expect(throttle.concurrency).toBe(32);
    for (let i = 0; i < 32; i++) throttle.observe(200, {});
    expect(throttle.concurrency).toBe(64);
  });

  it('starts at -c when that is smaller', () => {
    expect(createThrottle({ maxConcurrency: 8 }).concurrency).toBe(8);
  });

  it('halves on a 429 (once per second however many answer 429), never below 1', () => {
    const c = clock();
    const throttle = createThrottle({ maxConcurrency: 20, initialConcurrency: 20, now: c.now });
    throttle.observe(429, {});
    throttle.observe(429, {});
    expect(throttle.concurrency).toBe(10);
    for (let i = 0; i < 10; i++) {
      c.advance(1000);
      throttle.observe(429, {});
    }
    expect(throttle.concurrency).toBe(1);
  });

  it('after a 429 climbs back by one per window of successes, up to -c', () => {
    const throttle = createThrottle({ maxConcurrency: 8, initialConcurrency: 8 });
    throttle.observe(429, {});
    expect(throttle.concurrency).toBe(4);
    for (let i = 0; i < 3; i++) throttle.observe(200, {});
    expect(throttle.concurrency).toBe(4);
    throttle.observe(200, {});
    expect(throttle.concurrency).toBe(5);
    for (let i = 0; i < 100; i++) throttle.observe(200, {});
    expect(throttle.concurrency).toBe(8);
  });

  it('stays below the tenant concurrency limit, leaving headroom for other integrations', () => {
    const throttle = createThrottle({ maxConcurrency: 64, initialConcurrency: 64 });
    throttle.observe(200, { 'concurrency-limit-limit': '40', 'concurrency-limit-remaining': '30' });
    expect(throttle.concurrency).toBe(36);
    for (let i = 0; i < 500; i++) throttle.observe(200, { 'concurrency-limit-limit': '40', 'concurrency-limit-remaining': '10' });
    expect(throttle.concurrency).toBe(36);
  });

  it('gives back a slot when others use the tenant (Remaining below the headroom), once per sample', () => {
    const c = clock();
    const throttle = createThrottle({ maxConcurrency: 30, initialConcurrency: 30, now: c.now });
    const low = { 'concurrency-limit-limit': '40', 'concurrency-limit-remaining': '3', 'concurrency-limit-type': 'Default' };
    throttle.observe(200, low);
    throttle.observe(200, low);
    expect(throttle.concurrency).toBe(29);
    c.advance(1000);
    throttle.observe(200, low);
    expect(throttle.concurrency).toBe(28);
    for (let i = 0; i < 28; i++) throttle.observe(200, { 'concurrency-limit-limit': '40', 'concurrency-limit-remaining': '20' });
    expect(throttle.concurrency).toBe(29);
  });
});

describe('rate pacing', () => {
  it.each([
    ['100, 100;w=1, 6000;w=60', 0.95, 1000 / 95],
    ['50000, 50000;w=60, 2250000;w=3600', 1, 60_000 / 50_000],
    ['12500;w=60, 25000;w=3600', 1, 60_000 / 12_500],
    ['25000;w=3600, 12500;w=60', 1, 60_000 / 12_500],
    ['100', 1, 0],
    ['garbage', 1, 0],
  ])('%j at share %s -> %s ms between starts', (header, share, expected) => {
    expect(paceFor(header, share)).toBeCloseTo(expected, 6);
  });

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

  it('does not spin when the injected clock does not move', async () => {
    const throttle = createThrottle({ now: () => 0, sleep: async () => {} });
    throttle.pause(1000);
    await throttle.acquire();
  });
});
