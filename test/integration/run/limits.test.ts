import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../../src/run.js';
import { createSimulator, type Simulator } from '../../../src/simulator/create-simulator.js';
import { readCsv, workdir } from '../../helpers/cli.js';
import { writeCorrections } from '../../helpers/generate.js';
import { quietLogger, runOptions, virtualTime } from '../../helpers/run-options.js';
import { virtualClock } from '../../helpers/virtual-clock.js';
import { putRequests } from '../../helpers/received-requests.js';

/**
 * The whole run against a simulator that pushes back like a real tenant. Limits are about time, so the
 * run and the simulator share one virtual clock: the client's waits move it instead of passing, and
 * the tests assert outcomes and shares, never rates (those are measured by `npm run bench`, scenario
 * rate-limited).
 */
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('under tenant limits', () => {
  it('a concurrency limit below -c: every row updated, 429s a small share of requests', async () => {
    const clock = virtualClock();
    sim = await createSimulator({ acceptAnyId: true, latencyMs: 25, concurrencyLimit: 4, concurrencyRetryAfterSeconds: 1, now: clock.now });
    const { dir, input } = await workdir({ name: 'c.csv', text: '' });
    await writeCorrections(input, 400);
    const summary = await run(runOptions(input, sim, { concurrency: 16 }), { logger: quietLogger, now: clock.now, sleep: clock.sleep });
    expect(summary.counts.updated).toBe(400);
    expect(summary.exitCode).toBe(0);
    const all = putRequests(sim);
    const limited = all.filter((r) => r.status === 429).length;
    expect(limited / all.length).toBeLessThan(0.1);
    expect((await readCsv(`${dir}/c.results.csv`)).every((r) => r.result === 'updated')).toBe(true);
  }, 60_000);

  it('a rate limit: every row updated, the client paces itself and few requests are answered 429', async () => {
    const clock = virtualClock();
    sim = await createSimulator({ acceptAnyId: true, rateLimit: { perSecond: 40 }, now: clock.now });
    const { input } = await workdir({ name: 'r.csv', text: '' });
    await writeCorrections(input, 200);
    const summary = await run(runOptions(input, sim, { concurrency: 8 }), { logger: quietLogger, now: clock.now, sleep: clock.sleep });
    expect(summary.counts.updated).toBe(200);
    expect(summary.exitCode).toBe(0);
    // 200 rows at 40 per second need at least 5 s of (virtual) time: the client waited them out.
    expect(clock.slept()).toBeGreaterThanOrEqual(4000);
    expect(sim.stats.rateLimited / putRequests(sim).length).toBeLessThanOrEqual(0.05);
  }, 60_000);

  it('tokens that expire during the run: no failed row, about one token per lifetime', async () => {
    // Every request the simulator finishes takes 10 ms of virtual time: 400 rows span about 4 token lifetimes.
    const clock = virtualClock();
    sim = await createSimulator({ acceptAnyId: true, tokenLifetimeSeconds: 1, now: clock.now, logger: () => clock.advance(10) });
    const { input } = await workdir({ name: 't.csv', text: '' });
    await writeCorrections(input, 400);
    const started = clock.now();
    const summary = await run(runOptions(input, sim, { concurrency: 4 }), { logger: quietLogger, now: clock.now, sleep: clock.sleep });
    const seconds = (clock.now() - started) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(4);
    expect(summary.counts.updated).toBe(400);
    expect(summary.retries).toBe(0);
    expect(sim.stats.tokensIssued).toBeGreaterThanOrEqual(Math.floor(seconds));
    expect(sim.stats.tokensIssued).toBeLessThanOrEqual(Math.ceil(seconds / 0.9) + 1);
    expect(summary.tokenRequests).toBe(sim.stats.tokensIssued);
  }, 60_000);
});

describe('seeded chaos: 10% random faults of every kind', () => {
  it('every row ends updated, or unknown only for the no-answer kinds; none lost, none twice', async () => {
    sim = await createSimulator({ acceptAnyId: true, chaos: { rate: 0.1, seed: 20261127, slowMs: 2000 } });
    const { dir, input } = await workdir({ name: 'x.csv', text: '' });
    const rows = await writeCorrections(input, 3000);
    const time = virtualTime();
    const summary = await run(runOptions(input, sim, { concurrency: 16, timeoutMs: 400 }), { logger: quietLogger, ...time });
    const context = `chaos seed ${sim.chaosSeed}`;
    const results = await readCsv(`${dir}/x.results.csv`);
    expect(results.map((r) => Number(r.line)), context).toEqual(rows.map((_, i) => i + 2));
    for (const row of results) {
      if (row.result === 'unknown') expect(['ETIMEDOUT', 'ECONNRESET'], context).toContain(row.error_code);
      else expect(row.result, `${context}, line ${row.line}: ${row.error_message}`).toBe('updated');
    }
    expect(summary.counts.updated + summary.counts.unknown, context).toBe(3000);
    for (const kind of ['5xx', 'drop', 'slow', 'apply-then-drop', 'lock'] as const) expect(sim.stats.chaosInjected[kind], kind).toBeGreaterThan(0);
    expect(summary.retries, context).toBeGreaterThan(200);
    for (const row of results.filter((r) => r.result === 'updated')) {
      const [id, quantity] = rows[Number(row.line) - 2]!.split(',');
      expect(String(sim.tenant.get(id!)?.Quantity), context).toBe(quantity);
    }
  }, 60_000);
});
