import { describe, expect, it } from 'vitest';
import { createThrottlePolicy, paceFor, type ResponseHeaders, type ThrottlePolicyOptions } from '../../../src/send/throttle-policy.js';

/** One answer: its status and headers, received `after` ms after the previous one (0 unless given). */
type Answer = [status: number, headers?: ResponseHeaders, after?: number];

/** `n` copies of an answer arriving together. */
const times = (n: number, answer: Answer): Answer[] => Array.from({ length: n }, () => answer);

/** The policy's state after these answers, and the pauses it asked for on the way. */
function decide(options: ThrottlePolicyOptions, answers: readonly Answer[]): { concurrency: number; lowered: boolean; intervalMs: number; pauses: number[] } {
  const policy = createThrottlePolicy(options);
  const pauses: number[] = [];
  let now = 1_000_000;
  for (const [status, headers = {}, after = 0] of answers) {
    now += after;
    const pause = policy.observe(status, headers, now);
    if (pause > 0) pauses.push(pause);
  }
  return { concurrency: policy.concurrency, lowered: policy.lowered, intervalMs: policy.intervalMs, pauses };
}

const limit = (limitValue: number, remaining: number): ResponseHeaders => ({
  'concurrency-limit-limit': String(limitValue),
  'concurrency-limit-remaining': String(remaining),
});

describe('adaptive concurrency: given these answers -> this concurrency', () => {
  it.each<[string, ThrottlePolicyOptions, Answer[], { concurrency: number; lowered: boolean }]>([
    ['begins at 16 under a larger -c', { maxConcurrency: 64 }, [], { concurrency: 16, lowered: false }],
    ['begins at -c when that is smaller', { maxConcurrency: 8 }, [], { concurrency: 8, lowered: false }],
    ['slow start: one short of a window keeps 16', { maxConcurrency: 64 }, times(15, [200]), { concurrency: 16, lowered: false }],
    ['slow start: a window of successes doubles 16 to 32', { maxConcurrency: 64 }, times(16, [200]), { concurrency: 32, lowered: false }],
    ['slow start: two windows reach -c 64', { maxConcurrency: 64 }, [...times(16, [200]), ...times(32, [200])], { concurrency: 64, lowered: false }],
    ['slow start never passes -c', { maxConcurrency: 20 }, times(100, [200]), { concurrency: 20, lowered: false }],
    ['a failure answer (400) is no success', { maxConcurrency: 64 }, times(16, [400]), { concurrency: 16, lowered: false }],
    ['a 429 halves', { maxConcurrency: 20, initialConcurrency: 20 }, [[429]], { concurrency: 10, lowered: true }],
    ['many 429s within a second halve once', { maxConcurrency: 20, initialConcurrency: 20 }, times(5, [429, {}, 200]), { concurrency: 10, lowered: true }],
    ['a 429 a second halves each time, never below 1', { maxConcurrency: 20, initialConcurrency: 20 }, [[429], ...times(10, [429, {}, 1000])], { concurrency: 1, lowered: true }],
    ['after a 429: one short of a window keeps 4', { maxConcurrency: 8, initialConcurrency: 8 }, [[429], ...times(3, [200])], { concurrency: 4, lowered: true }],
    ['after a 429: a window of successes adds one, not doubles', { maxConcurrency: 8, initialConcurrency: 8 }, [[429], ...times(4, [200])], { concurrency: 5, lowered: true }],
    ['after a 429: climbs back to -c, no longer lowered', { maxConcurrency: 8, initialConcurrency: 8 }, [[429], ...times(100, [200])], { concurrency: 8, lowered: false }],
    ['Concurrency-Limit-Limit 40 caps at 36 (headroom 4)', { maxConcurrency: 64, initialConcurrency: 64 }, [[200, limit(40, 30)]], { concurrency: 36, lowered: true }],
    ['under the cap, no climb past it', { maxConcurrency: 64, initialConcurrency: 64 }, [[200, limit(40, 30)], ...times(500, [200, limit(40, 30)])], { concurrency: 36, lowered: true }],
    ['headroom is at least 2', { maxConcurrency: 64, initialConcurrency: 64 }, [[200, limit(10, 9)]], { concurrency: 8, lowered: true }],
    ['a cap above the concurrency lowers nothing', { maxConcurrency: 30, initialConcurrency: 30 }, [[200, limit(40, 30)]], { concurrency: 30, lowered: false }],
    ['Remaining below the headroom gives back one slot', { maxConcurrency: 30, initialConcurrency: 30 }, [[200, limit(40, 3)]], { concurrency: 29, lowered: true }],
    ['Remaining low twice within a second: one slot', { maxConcurrency: 30, initialConcurrency: 30 }, [[200, limit(40, 3)], [200, limit(40, 3), 500]], { concurrency: 29, lowered: true }],
    ['Remaining low a second apart: two slots', { maxConcurrency: 30, initialConcurrency: 30 }, [[200, limit(40, 3)], [200, limit(40, 3), 1000]], { concurrency: 28, lowered: true }],
    ['Remaining at the headroom is not low', { maxConcurrency: 30, initialConcurrency: 30 }, [[200, limit(40, 4)]], { concurrency: 30, lowered: false }],
    [
      'Remaining back up: climbs one per window',
      { maxConcurrency: 30, initialConcurrency: 30 },
      [[200, limit(40, 3)], [200, limit(40, 3), 1000], ...times(28, [200, limit(40, 20)])],
      { concurrency: 29, lowered: true },
    ],
  ])('%s', (_name, options, answers, expected) => {
    const { concurrency, lowered } = decide(options, answers);
    expect({ concurrency, lowered }).toEqual(expected);
  });
});

describe('rate limits: given these headers -> this pace and these pauses', () => {
  it.each<[string, number | undefined, Answer[], { intervalMs: number; pauses: number[] }]>([
    ['no rate headers: no pace, no pause', undefined, [[200]], { intervalMs: 0, pauses: [] }],
    ['RateLimit-Limit 10 a second at share 1: 100 ms apart', 1, [[200, { 'ratelimit-limit': '10, 10;w=1' }]], { intervalMs: 100, pauses: [] }],
    ['a later announcement replaces the pace', 1, [[200, { 'ratelimit-limit': '10;w=1' }], [200, { 'ratelimit-limit': '20;w=1' }]], { intervalMs: 50, pauses: [] }],
    ['a header repeated: the first value counts', 1, [[200, { 'ratelimit-limit': ['10;w=1', '20;w=1'] }]], { intervalMs: 100, pauses: [] }],
    ['RateLimit-Remaining 0: pause until RateLimit-Reset', undefined, [[200, { 'ratelimit-remaining': '0', 'ratelimit-reset': '2' }]], { intervalMs: 0, pauses: [2000] }],
    ['RateLimit-Remaining 1: no pause', undefined, [[200, { 'ratelimit-remaining': '1', 'ratelimit-reset': '2' }]], { intervalMs: 0, pauses: [] }],
    ['RateLimit-Remaining 0 without a reset: no pause', undefined, [[200, { 'ratelimit-remaining': '0' }]], { intervalMs: 0, pauses: [] }],
    [
      'a pause is asked for even when the concurrency is also low',
      undefined,
      [[200, { ...limit(40, 1), 'ratelimit-remaining': '0', 'ratelimit-reset': '3' }]],
      { intervalMs: 0, pauses: [3000] },
    ],
    ['a 429 asks for no pause of its own (Retry-After is the caller\'s)', undefined, [[429, { 'ratelimit-remaining': '0', 'ratelimit-reset': '2' }]], { intervalMs: 0, pauses: [] }],
  ])('%s', (_name, rateShare, answers, expected) => {
    const { intervalMs, pauses } = decide({ maxConcurrency: 40, ...(rateShare === undefined ? {} : { rateShare }) }, answers);
    expect({ intervalMs, pauses }).toEqual(expected);
  });

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
});
