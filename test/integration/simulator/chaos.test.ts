import { Agent } from 'node:http';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/simulator/chaos.js';
import {
  type ChaosKind,
  createSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../../src/simulator/create-simulator.js';
import { usageId } from '../../helpers/generate.js';
import { pendingRecord, simulatorToken, withSimulator } from '../../helpers/with-simulator.js';
import { waitFor } from '../../helpers/wait-for.js';
import { type CallResult, call, json, putUsage, usageHeaders } from './http-call.js';
import { putRequests } from '../../helpers/received-requests.js';

const ALL_KINDS: ChaosKind[] = ['5xx', 'drop', 'slow', 'apply-then-drop', 'lock'];

const record = (Id: string) => pendingRecord(Id);

/** A simulator whose tenant holds record 0 with Quantity 1 (and creates others on first use), and a token for it. */
async function withChaos(options: SimulatorOptions, fn: (sim: Simulator, token: string) => Promise<void>): Promise<void> {
  await withSimulator({ records: [record(usageId(0))], acceptAnyId: true, ...options }, async (sim) => {
    await fn(sim, await simulatorToken(sim));
  });
}

/** PUTs one after another; a dropped connection becomes its error code. */
async function sequentialPuts(sim: Simulator, token: string, count: number): Promise<(number | string)[]> {
  const outcomes: (number | string)[] = [];
  for (let i = 0; i < count; i += 1) {
    outcomes.push(
      await putUsage(sim.url, token, usageId(i % 5), `{"Quantity":${i}}`).then(
        (res) => res.status,
        (error: NodeJS.ErrnoException) => error.code ?? error.message,
      ),
    );
  }
  return outcomes;
}

const kindsOf = (sim: Simulator) => putRequests(sim).map((r) => r.chaos ?? null);

describe('chaos PRNG', () => {
  it('mulberry32 repeats its sequence for a seed and differs for another, uniform in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const first = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(first);
    // Uniform in [0, 1): every tenth of the interval gets about its share (100 of 1000, +-3.5 sd).
    const tenths = Array.from({ length: 10 }, (_, k) => first.filter((x) => x >= k / 10 && x < (k + 1) / 10).length);
    expect(tenths.reduce((sum, n) => sum + n, 0)).toBe(first.length);
    for (const n of tenths) expect(n).toBeGreaterThan(66);
    for (const n of tenths) expect(n).toBeLessThan(134);
  });
});

describe('chaos', () => {
  const replayable: ChaosKind[] = ['5xx', 'drop', 'apply-then-drop', 'lock'];

  it('gives the same faults for the same seed and request order, and others for another seed', async () => {
    const runs: { seed?: number; kinds: (ChaosKind | null)[]; outcomes: (number | string)[]; injected: Record<ChaosKind, number> }[] = [];
    const run = (seed: number) =>
      withChaos({ chaos: { rate: 0.5, seed, kinds: replayable } }, async (sim, token) => {
        const outcomes = await sequentialPuts(sim, token, 40);
        runs.push({ seed: sim.chaosSeed, kinds: kindsOf(sim), outcomes, injected: { ...sim.stats.chaosInjected } });
      });
    await run(1234);
    await run(1234);
    await run(1235);
    const [first, again, other] = runs;
    expect(first?.seed).toBe(1234);
    expect(again).toEqual(first);
    expect(other?.kinds).not.toEqual(first?.kinds);
    expect(first?.kinds.filter((k) => k !== null).length).toBeGreaterThan(5);
  });

  it('picks a random seed when none is given and exposes it for replay', async () => {
    await withSimulator({ records: [], chaos: { rate: 0.1 } }, async (sim) => {
      expect(Number.isInteger(sim.chaosSeed)).toBe(true);
    });
    await withSimulator({ records: [] }, async (sim) => {
      expect(sim.chaosSeed).toBeUndefined();
      expect(sim.stats.chaosInjected).toEqual({ '5xx': 0, drop: 0, slow: 0, 'apply-then-drop': 0, lock: 0 });
    });
  });

  it('at rate 0.1 hits roughly 10% of 2000 requests, with every kind seen and counted in stats', async () => {
    await withSimulator({ records: [], acceptAnyId: true, chaos: { rate: 0.1, seed: 7, slowMs: 5 } }, async (sim) => {
      const token = await simulatorToken(sim);
      const agent = new Agent({ keepAlive: true, maxSockets: 16 });
      try {
        let next = 0;
        const worker = async () => {
          while (next < 2000) {
            const n = next++;
            await call(sim.url, {
              method: 'PUT',
              path: `/v1/object/usage/${usageId(n % 50)}`,
              headers: usageHeaders(token),
              body: `{"Quantity":${n}}`,
              agent,
            }).catch(() => undefined);
          }
        };
        await Promise.all(Array.from({ length: 16 }, worker));
      } finally {
        agent.destroy();
      }
      const puts = putRequests(sim);
      expect(puts).toHaveLength(2000);
      const hit = puts.filter((r) => r.chaos !== undefined);
      expect(hit.length).toBeGreaterThan(140);
      expect(hit.length).toBeLessThan(260);
      const counted = Object.fromEntries(ALL_KINDS.map((kind) => [kind, hit.filter((r) => r.chaos === kind).length]));
      expect(sim.stats.chaosInjected).toEqual(counted);
      for (const kind of ALL_KINDS) expect(sim.stats.chaosInjected[kind], kind).toBeGreaterThan(0);
    });
  });

  it('drop: destroys the connection before handling; the update is not applied', async () => {
    await withChaos({ chaos: { rate: 1, seed: 1, kinds: ['drop'] } }, async (sim, token) => {
      await expect(putUsage(sim.url, token, usageId(0), '{"Quantity":77}')).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(sim.tenant.get(usageId(0))?.Quantity).toBe('1');
      expect(sim.requests.at(-1)).toMatchObject({ chaos: 'drop', outcome: 'dropped' });
      expect(sim.stats.chaosInjected.drop).toBe(1);
    });
  });

  it('apply-then-drop: applies the update, then destroys the connection', async () => {
    await withChaos({ chaos: { rate: 1, seed: 1, kinds: ['apply-then-drop'] } }, async (sim, token) => {
      await expect(putUsage(sim.url, token, usageId(0), '{"Quantity":77}')).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(sim.tenant.get(usageId(0))?.Quantity).toBe('77');
      expect(sim.requests.at(-1)).toMatchObject({ chaos: 'apply-then-drop', outcome: 'dropped' });
    });
  });

  it('lock: answers Success:false LOCK_COMPETITION at the business-failure status; not applied', async () => {
    await withChaos({ chaos: { rate: 1, seed: 1, kinds: ['lock'] }, faultStatusForSuccessFalse: 200 }, async (sim, token) => {
      const res = await putUsage(sim.url, token, usageId(0), '{"Quantity":77}');
      expect(res.status).toBe(200);
      expect(json(res)).toEqual({ Success: false, Errors: [{ Code: 'LOCK_COMPETITION', Message: expect.stringMatching(/lock competition/) }] });
      expect(sim.tenant.get(usageId(0))?.Quantity).toBe('1');
      expect(sim.requests.at(-1)).toMatchObject({ chaos: 'lock', status: 200 });
    });
  });

  it('5xx: answers 500, 502, 503 or 504 with an empty or an HTML body; not applied', async () => {
    await withChaos({ chaos: { rate: 1, seed: 3, kinds: ['5xx'] }, rateLimit: { perMinute: 1000 }, concurrencyLimit: 10 }, async (sim, token) => {
      const results: CallResult[] = [];
      for (let i = 0; i < 40; i += 1) results.push(await putUsage(sim.url, token, usageId(0), `{"Quantity":${i + 100}}`));
      expect(new Set(results.map((r) => r.status))).toEqual(new Set([500, 502, 503, 504]));
      const html = results.filter((r) => r.text !== '');
      expect(html.length).toBeGreaterThan(0);
      expect(html.length).toBeLessThan(40);
      for (const res of html) {
        expect(res.headers['content-type']).toBe('text/html');
        expect(res.text).toContain(`<h1>${res.status} `);
      }
      for (const res of results) {
        expect(res.headers['ratelimit-limit']).toBeDefined();
        expect(res.headers['concurrency-limit-limit']).toBeUndefined();
      }
      expect(sim.tenant.get(usageId(0))?.Quantity).toBe('1');
    });
  });

  it('slow: applies the update at once and answers only after slowMs', async () => {
    await withChaos({ chaos: { rate: 1, seed: 1, kinds: ['slow'], slowMs: 200 } }, async (sim, token) => {
      const answer = putUsage(sim.url, token, usageId(0), '{"Quantity":77}');
      await waitFor(() => sim.tenant.get(usageId(0))?.Quantity === '77');
      const entry = sim.requests.at(-1);
      expect(entry).toMatchObject({ chaos: 'slow', outcome: 'pending' });
      const res = await answer;
      expect(res.status).toBe(200);
      expect(json(res)).toEqual({ Id: usageId(0), Success: true });
      expect((entry?.finishedAt ?? 0) - (entry?.startedAt ?? 0)).toBeGreaterThanOrEqual(195);
      expect(entry).toMatchObject({ status: 200, outcome: 'answered' });
    });
  });

  it('slow past the client timeout: the update is applied and the request ends when the client gives up', async () => {
    await withChaos({ chaos: { rate: 1, seed: 1, kinds: ['slow'] } }, async (sim, token) => {
      await expect(putUsage(sim.url, token, usageId(0), '{"Quantity":77}', { timeoutMs: 100 })).rejects.toThrow(/client timeout/);
      expect(sim.tenant.get(usageId(0))?.Quantity).toBe('77');
      await waitFor(() => sim.stats.inFlight === 0);
      const entry = sim.requests.at(-1);
      expect(entry).toMatchObject({ chaos: 'slow', clientClosed: true });
      expect(entry?.status).toBeUndefined();
    });
  });

  it('close() returns promptly with slow requests pending', async () => {
    // 20 s, within the test's time limit: a close() that waited for the slow answers would show them sent below.
    const sim = await createSimulator({ records: [], acceptAnyId: true, chaos: { rate: 1, kinds: ['slow'], slowMs: 20_000 } });
    const token = await simulatorToken(sim);
    const pending = [1, 2, 3].map((n) => putUsage(sim.url, token, usageId(n), '{"Quantity":5}').catch((error: unknown) => error));
    await waitFor(() => sim.stats.chaosInjected.slow === 3);
    await sim.close();
    expect(putRequests(sim).map((r) => [r.chaos, r.status])).toEqual(Array(3).fill(['slow', undefined]));
    for (const outcome of await Promise.all(pending)) expect(outcome).toMatchObject({ code: 'ECONNRESET' });
  });

  it('lets scripted faults come first: a scripted request draws no chaos', async () => {
    await withChaos({ chaos: { rate: 1, seed: 1, kinds: ['lock'] } }, async (sim, token) => {
      sim.script(usageId(0), [{ kind: 'status', status: 503 }]);
      expect((await putUsage(sim.url, token, usageId(0), '{"Quantity":2}')).status).toBe(503);
      expect(sim.requests.at(-1)?.chaos).toBeUndefined();
      expect((await putUsage(sim.url, token, usageId(0), '{"Quantity":2}')).status).toBe(400);
      expect(sim.stats.chaosInjected.lock).toBe(1);
    });
  });

  it('leaves the token endpoint alone', async () => {
    await withSimulator({ records: [], chaos: { rate: 1, kinds: ['drop'] } }, async (sim) => {
      await expect(simulatorToken(sim)).resolves.toMatch(/^[0-9a-f]{32}$/);
      expect(sim.stats.chaosInjected.drop).toBe(0);
    });
  });

  it.each([
    [{ rate: 1.5 }, /chaos\.rate/],
    [{ rate: Number.NaN }, /chaos\.rate/],
    [{ rate: 0.1, kinds: [] }, /chaos\.kinds/],
    [{ rate: 0.1, kinds: ['boom' as ChaosKind] }, /unknown kind boom/],
    [{ rate: 0.1, seed: -1 }, /chaos\.seed/],
    [{ rate: 0.1, slowMs: -5 }, /chaos\.slowMs/],
  ])('refuses chaos %j', async (chaos, message) => {
    await expect(createSimulator({ records: [], chaos })).rejects.toThrow(message);
  });
});
