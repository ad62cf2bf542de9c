import { describe, expect, it } from 'vitest';
import { readPushback } from '../../../src/send/pushback.js';
import { createThrottle } from '../../../src/send/throttle.js';
import { virtualClock } from '../../helpers/virtual-clock.js';

describe('what holds the run back, for the progress bar', () => {
  it('a pause Zuora asked for counts down; the slow start is not a lowered concurrency, a 429 is', () => {
    const c = virtualClock();
    const throttle = createThrottle({ ...c, maxConcurrency: 40 });
    const retries = { waiting: 3 };
    // Slow start: 16 of 40 in flight is the run climbing, not Zuora pushing back.
    expect(readPushback(throttle, retries, c.now())).toEqual({ pausedMs: 0, retrying: 3, concurrency: 16, maxConcurrency: 40, lowered: false });
    throttle.observe(429, {});
    throttle.pause(12_000);
    c.advance(2_000);
    expect(readPushback(throttle, retries, c.now())).toEqual({ pausedMs: 10_000, retrying: 3, concurrency: 8, maxConcurrency: 40, lowered: true });
    c.advance(10_000);
    expect(readPushback(throttle, retries, c.now()).pausedMs).toBe(0);
  });
});
