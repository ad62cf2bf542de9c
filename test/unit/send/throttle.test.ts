import { describe, expect, it } from 'vitest';
import { createThrottle } from '../../../src/send/throttle.js';

function clock() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleeps,
    advance: (ms: number) => {
      t += ms;
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

describe('createThrottle', () => {
  it('lets requests through at once when not paused', async () => {
    const c = clock();
    const throttle = createThrottle(c);
    await throttle.ready();
    expect(c.sleeps).toEqual([]);
  });

  it('holds every request until the pause has passed', async () => {
    const c = clock();
    const throttle = createThrottle(c);
    throttle.pause(120_000);
    c.advance(20_000);
    await throttle.ready();
    expect(c.sleeps).toEqual([100_000]);
    await throttle.ready();
    expect(c.sleeps).toEqual([100_000]);
  });

  it('a shorter pause never shortens a longer one', async () => {
    const c = clock();
    const throttle = createThrottle(c);
    throttle.pause(5000);
    throttle.pause(1000);
    await throttle.ready();
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
    await throttle.ready();
    expect(c.sleeps).toEqual([1000, 3000]);
  });

  it('does not spin when the injected clock does not move', async () => {
    const throttle = createThrottle({ now: () => 0, sleep: async () => {} });
    throttle.pause(1000);
    await throttle.ready();
  });
});
