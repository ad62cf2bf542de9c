import { describe, expect, it } from 'vitest';
import { createDeadlines } from '../../../src/send/deadlines.js';

function request() {
  const canceled: string[] = [];
  return { canceled, cancel: (reason?: string) => canceled.push(reason ?? '') };
}

describe('createDeadlines', () => {
  it('cancels a request whose time ran out, and says so', async () => {
    let t = 0;
    const deadlines = createDeadlines({ timeoutMs: 100, now: () => t });
    const slow = request();
    const fast = request();
    deadlines.watch(slow, 100);
    const settled = deadlines.watch(fast, 100);
    settled();
    t = 150;
    await new Promise((resolve) => setTimeout(resolve, 40));
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
