import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDeadlines } from '../../../src/send/deadlines.js';

function request() {
  const canceled: string[] = [];
  return { canceled, cancel: (reason?: string) => canceled.push(reason ?? '') };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createDeadlines', () => {
  it('cancels a request whose time ran out, and says so', () => {
    // The sweep is a timer; fake timers run it without waiting, the injected clock says what time it is.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let t = 0;
    const deadlines = createDeadlines({ timeoutMs: 100, now: () => t });
    const slow = request();
    const fast = request();
    deadlines.watch(slow, 100);
    const settled = deadlines.watch(fast, 100);
    settled();
    vi.advanceTimersByTime(10);
    expect(slow.canceled).toEqual([]);
    t = 150;
    vi.advanceTimersByTime(10);
    deadlines.close();
    expect(slow.canceled).toEqual(['timeout']);
    expect(deadlines.reasonOf(slow)).toBe('timeout');
    expect(fast.canceled).toEqual([]);
    expect(deadlines.reasonOf(fast)).toBeUndefined();
  });

  it('abandons every request in flight at once', () => {
    const deadlines = createDeadlines({ timeoutMs: 30_000 });
    const a = request();
    const b = request();
    deadlines.watch(a, 30_000);
    deadlines.watch(b, 30_000);
    deadlines.abandonAll();
    deadlines.close();
    expect([a.canceled, b.canceled]).toEqual([['abandoned'], ['abandoned']]);
    expect(deadlines.reasonOf(a)).toBe('abandoned');
  });
});
