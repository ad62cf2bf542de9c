import { describe, expect, it } from 'vitest';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../../src/simulator/create-simulator.js';
import { usageId } from '../../helpers/generate.js';
import { simulatorToken, withSimulator } from '../../helpers/with-simulator.js';
import { waitFor } from '../../helpers/wait-for.js';
import { type CallResult, call, json, putUsage } from './http-call.js';
import { putRequests } from '../../helpers/received-requests.js';

/** 18:30:00.000 UTC: a minute (and second) boundary of the simulator clock. */
const MINUTE = Date.UTC(2026, 2, 1, 18, 30, 0);

/** A simulator on an injected clock, and a PUT helper with a token fetched once. */
async function withLimits(
  options: SimulatorOptions,
  fn: (sim: Simulator, put: (n?: number) => Promise<CallResult>, clock: { t: number }) => Promise<void>,
  start = MINUTE + 15_250,
): Promise<void> {
  const clock = { t: start };
  await withSimulator({ records: [], acceptAnyId: true, now: () => clock.t, ...options }, async (sim) => {
    const token = await simulatorToken(sim);
    let n = 0;
    const put = (id = n) => {
      n += 1;
      return putUsage(sim.url, token, usageId(id), `{"Quantity":${n}}`);
    };
    await fn(sim, put, clock);
  });
}

function rateHeaders(res: CallResult): [string | undefined, string | undefined, string | undefined] {
  const h = res.headers;
  return [h['ratelimit-limit'] as string | undefined, h['ratelimit-remaining'] as string | undefined, h['ratelimit-reset'] as string | undefined];
}

async function sequentially(count: number, put: () => Promise<CallResult>): Promise<CallResult[]> {
  const results: CallResult[] = [];
  for (let i = 0; i < count; i += 1) results.push(await put());
  return results;
}

/** Which of the three documented 429 bodies this is. */
function shapeOf(res: CallResult): string {
  const body = json(res);
  if ('reasons' in body) return 'v1';
  if ('Errors' in body) return 'crud';
  if ('code' in body) return 'code';
  return `unknown: ${res.text}`;
}

describe('rate limit headers', () => {
  it('puts RateLimit-* on every usage answer (success, refusal, 401) and none on the token endpoint or unrouted paths', async () => {
    await withLimits({ rateLimit: { perSecond: 100, perMinute: 6000 } }, async (sim, put) => {
      const ok = await put();
      expect(ok.status).toBe(200);
      expect(rateHeaders(ok)).toEqual(['100, 100;w=1, 6000;w=60', '99', '1']);

      const refused = await putUsage(sim.url, await simulatorToken(sim), usageId(1), '{"Quantity":"ten"}');
      expect(refused.status).toBe(400);
      expect(rateHeaders(refused)).toEqual(['100, 100;w=1, 6000;w=60', '98', '1']);

      const unauthorized = await putUsage(sim.url, 'not-a-token', usageId(1), '{"Quantity":1}');
      expect(unauthorized.status).toBe(401);
      expect(rateHeaders(unauthorized)).toEqual(['100, 100;w=1, 6000;w=60', '97', '1']);

      const token = await call(sim.url, { method: 'POST', path: '/oauth/token', body: 'grant_type=client_credentials' });
      expect(token.headers['ratelimit-limit']).toBeUndefined();
      const unrouted = await call(sim.url, { path: '/v1/object/usage/a/b' });
      expect(unrouted.status).toBe(404);
      expect(unrouted.headers['ratelimit-limit']).toBeUndefined();

      // Neither of the last two counted.
      expect(rateHeaders(await put())[1]).toBe('96');
    });
  });

  it('sends no limit headers when no limit is configured', async () => {
    await withLimits({}, async (_sim, put) => {
      const ok = await put();
      expect(rateHeaders(ok)).toEqual([undefined, undefined, undefined]);
      expect(ok.headers['concurrency-limit-limit']).toBeUndefined();
    });
  });
});

describe('rate limit per second', () => {
  it('refuses exactly the requests over the limit with 429, Retry-After and the v1 body; refused ones count', async () => {
    await withLimits({ rateLimit: { perSecond: 5 } }, async (sim, put) => {
      const results = await sequentially(8, () => put(0));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      expect(results.map((r) => rateHeaders(r)[1])).toEqual(['4', '3', '2', '1', '0', '0', '0', '0']);
      for (const refused of results.slice(5)) {
        expect(refused.headers['retry-after']).toBe('1');
        expect(rateHeaders(refused)).toEqual(['5, 5;w=1', '0', '1']);
        expect(json(refused)).toEqual({ success: false, reasons: [{ code: 70, message: expect.stringMatching(/^API Rate limit exceeded/) }] });
      }
      expect(sim.stats.rateLimited).toBe(3);
      const puts = putRequests(sim);
      expect(puts.slice(5).map((r) => [r.status, r.limited])).toEqual([
        [429, 'rate'],
        [429, 'rate'],
        [429, 'rate'],
      ]);
      expect(puts[0]?.limited).toBeUndefined();
      // The refused requests changed nothing: the 5th body is the last applied.
      expect(sim.tenant.get(usageId(0))?.Quantity).toBe('5');
    });
  });

  it('opens again when the window resets, so a client keeping to the limit is never refused', async () => {
    await withLimits(
      { rateLimit: { perSecond: 3 } },
      async (sim, put, clock) => {
        const statuses: number[] = [];
        for (let second = 0; second < 5; second += 1) {
          for (let i = 0; i < 3; i += 1) {
            clock.t = MINUTE + second * 1000 + i * 300;
            statuses.push((await put()).status);
          }
        }
        expect(statuses).toEqual(Array(15).fill(200));
        clock.t = MINUTE + 4999;
        const over = await put();
        expect(over.status).toBe(429);
        expect(over.headers['retry-after']).toBe('1');
        clock.t = MINUTE + 5000;
        const next = await put();
        expect(next.status).toBe(200);
        expect(rateHeaders(next)).toEqual(['3, 3;w=1', '2', '1']);
        expect(sim.stats.rateLimited).toBe(1);
      },
      MINUTE,
    );
  });
});

describe('rate limit per minute', () => {
  it('answers Retry-After and RateLimit-Reset in seconds until the minute ends, and opens at the next minute', async () => {
    await withLimits({ rateLimit: { perMinute: 4 } }, async (sim, put, clock) => {
      const results = await sequentially(5, put);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 429]);
      expect(rateHeaders(results[0] as CallResult)).toEqual(['4, 4;w=60', '3', '45']);
      const refused = results[4] as CallResult;
      expect(refused.headers['retry-after']).toBe('45'); // 44.75 s left, rounded up
      expect(rateHeaders(refused)).toEqual(['4, 4;w=60', '0', '45']);

      clock.t = MINUTE + 59_500;
      const late = await put();
      expect(late.status).toBe(429);
      expect(late.headers['retry-after']).toBe('1');

      clock.t = MINUTE + 60_000;
      const opened = await put();
      expect(opened.status).toBe(200);
      expect(rateHeaders(opened)).toEqual(['4, 4;w=60', '3', '60']);
      expect(sim.stats.rateLimited).toBe(2);
    });
  });

  it('reports the window closest to running out first, and the later reset when both are out', async () => {
    await withLimits(
      { rateLimit: { perSecond: 3, perMinute: 5 } },
      async (_sim, put, clock) => {
        const first = await sequentially(2, put);
        expect(first.map(rateHeaders)).toEqual([
          ['3, 3;w=1, 5;w=60', '2', '1'],
          ['3, 3;w=1, 5;w=60', '1', '1'],
        ]);
        clock.t = MINUTE + 1000;
        const second = await sequentially(4, put);
        expect(second.map((r) => r.status)).toEqual([200, 200, 200, 429]);
        expect(second.map(rateHeaders)).toEqual([
          ['5, 3;w=1, 5;w=60', '2', '59'],
          ['5, 3;w=1, 5;w=60', '1', '59'],
          ['5, 3;w=1, 5;w=60', '0', '59'],
          ['5, 3;w=1, 5;w=60', '0', '59'],
        ]);
        // Over both windows: wait for the later one.
        expect(second[3]?.headers['retry-after']).toBe('59');
      },
      MINUTE,
    );
  });

  it('lets a scripted fault come before the limit 429, and still counts the request', async () => {
    await withLimits({ rateLimit: { perMinute: 1 } }, async (sim, put) => {
      expect((await put(0)).status).toBe(200);
      sim.script(usageId(0), [{ kind: 'status', status: 503 }]);
      const scripted = await put(0);
      expect(scripted.status).toBe(503);
      expect(rateHeaders(scripted)[1]).toBe('0');
      expect((await put(0)).status).toBe(429);
      expect(sim.stats.rateLimited).toBe(1);
    });
  });
});

describe('concurrency limit', () => {
  it('with limit 3 and 6 parallel requests, refuses 3 at once with 429, Retry-After and the code body', async () => {
    await withSimulator({ records: [], acceptAnyId: true, latencyMs: 200, concurrencyLimit: 3 }, async (sim) => {
      const token = await simulatorToken(sim);
      const results = await Promise.all([0, 1, 2, 3, 4, 5].map((n) => putUsage(sim.url, token, usageId(n), '{"Quantity":9}')));
      const ok = results.filter((r) => r.status === 200);
      const refused = results.filter((r) => r.status === 429);
      expect(ok).toHaveLength(3);
      expect(refused).toHaveLength(3);
      for (const res of refused) {
        expect(res.headers['retry-after']).toBe('1');
        expect(json(res)).toEqual({ code: 'REQUEST_EXCEEDED_LIMIT', message: expect.stringMatching(/concurrent requests have exceeded the limit/) });
        expect(res.headers['concurrency-limit-remaining']).toBe('0');
      }
      for (const res of results) {
        expect(res.headers['concurrency-limit-type']).toBe('Default');
        expect(res.headers['concurrency-limit-limit']).toBe('3');
      }
      // Each answered request still held its slot; the others were freed as they finished.
      expect(ok.map((r) => r.headers['concurrency-limit-remaining']).sort()).toEqual(['0', '1', '2']);
      expect(sim.stats.concurrencyLimited).toBe(3);

      const puts = putRequests(sim);
      const limited = puts.filter((r) => r.limited === 'concurrency');
      expect(limited.map((r) => r.status)).toEqual([429, 429, 429]);
      // Refused at the edge, before the latency: every 429 was out before any 200.
      const firstOk = Math.min(...puts.filter((r) => r.status === 200).map((r) => r.finishedAt ?? Infinity));
      for (const r of limited) expect(r.finishedAt).toBeLessThan(firstOk);
      // Only the admitted requests were applied.
      expect(sim.tenant.size).toBe(3);

      const alone = await putUsage(sim.url, token, usageId(0), '{"Quantity":10}');
      expect(alone.status).toBe(200);
      expect(alone.headers['concurrency-limit-remaining']).toBe('2');
    });
  });

  it('holds a slot until the connection ends: a hung request blocks until its client gives up', async () => {
    await withSimulator(
      { records: [], acceptAnyId: true, concurrencyLimit: 1, concurrencyRetryAfterSeconds: 120, faults: { [usageId(0)]: [{ kind: 'hang' }] } },
      async (sim) => {
        const token = await simulatorToken(sim);
        const hung = putUsage(sim.url, token, usageId(0), '{"Quantity":1}', { timeoutMs: 150 }).catch((error: unknown) => error);
        await waitFor(() => putRequests(sim).some((r) => r.rawBodyBytes > 0));
        const blocked = await putUsage(sim.url, token, usageId(1), '{"Quantity":1}');
        expect(blocked.status).toBe(429);
        expect(blocked.headers['retry-after']).toBe('120');
        expect(await hung).toMatchObject({ message: 'client timeout' });
        await waitFor(() => sim.stats.inFlight === 0);
        const after = await putUsage(sim.url, token, usageId(1), '{"Quantity":1}');
        expect(after.status).toBe(200);
        expect(after.headers['concurrency-limit-remaining']).toBe('0');
      },
    );
  });

  it('leaves Concurrency-Limit-* out of 5xx answers but keeps RateLimit-*', async () => {
    await withLimits({ concurrencyLimit: 5, rateLimit: { perMinute: 100 } }, async (sim, put) => {
      sim.script(usageId(7), [{ kind: 'status', status: 503 }]);
      const failed = await put(7);
      expect(failed.status).toBe(503);
      expect(failed.headers['concurrency-limit-limit']).toBeUndefined();
      expect(failed.headers['concurrency-limit-remaining']).toBeUndefined();
      expect(rateHeaders(failed)).toEqual(['100, 100;w=60', '99', '45']);
      const ok = await put(7);
      expect(ok.headers['concurrency-limit-remaining']).toBe('4');
      expect(ok.headers['ratelimit-remaining']).toBe('98');
    });
  });
});

describe('429 body shapes', () => {
  it.each([
    ['v1', 'rate', { success: false, reasons: [{ code: 70, message: expect.stringMatching(/^API Rate limit exceeded/) }] }],
    ['code', 'rate', { code: 'REQUEST_EXCEEDED_LIMIT', message: expect.any(String) }],
    ['crud', 'rate', { Success: false, Errors: [{ Code: 'REQUEST_EXCEEDED_RATE', Message: expect.any(String) }] }],
    ['v1', 'concurrency', { success: false, reasons: [{ code: 70, message: expect.any(String) }] }],
    ['crud', 'concurrency', { Success: false, Errors: [{ Code: 'REQUEST_EXCEEDED_LIMIT', Message: expect.stringMatching(/concurrent/) }] }],
  ] as const)('answers the %s body for a %s-limit 429', async (shape, reason, body) => {
    const options: SimulatorOptions =
      reason === 'rate' ? { rateLimit: { perMinute: 1 }, limitBodyShape: shape } : { concurrencyLimit: 1, latencyMs: 100, limitBodyShape: shape };
    await withLimits(options, async (_sim, put) => {
      const results = await Promise.all([put(0), put(1)]);
      const refused = results.find((r) => r.status === 429);
      expect(refused?.headers['retry-after']).toBe(reason === 'rate' ? '45' : '1');
      expect(json(refused as CallResult)).toEqual(body);
    });
  });

  it('rotates v1, code, crud across limit 429s with rotate', async () => {
    await withLimits({ rateLimit: { perSecond: 1 }, limitBodyShape: 'rotate' }, async (_sim, put) => {
      const results = await sequentially(5, put);
      expect(results.map((r) => r.status)).toEqual([200, 429, 429, 429, 429]);
      expect(results.slice(1).map(shapeOf)).toEqual(['v1', 'code', 'crud', 'v1']);
    });
  });
});

describe('limit options', () => {
  it.each([
    [{ concurrencyLimit: 0 }, /concurrencyLimit/],
    [{ rateLimit: { perSecond: 2.5 } }, /rateLimit\.perSecond/],
    [{ rateLimit: { perMinute: -1 } }, /rateLimit\.perMinute/],
    [{ limitBodyShape: 'xml' as 'v1' }, /limitBodyShape/],
  ])('refuses %j', async (options, message) => {
    await expect(createSimulator({ records: [], ...options })).rejects.toThrow(message);
  });
});
