import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunOptions } from '../../../src/options.js';
import { run } from '../../../src/run.js';
import { ACTION_UPDATE_FAULT_KEY, createSimulator, type FaultStep, type Simulator } from '../../../src/simulator/create-simulator.js';
import { inputFile, readCsv } from '../../helpers/cli.js';
import { quietLogger, runOptions } from '../../helpers/run-options.js';
import { usageId } from '../../helpers/sender.js';
import { virtualClock } from '../../helpers/virtual-clock.js';
import { waitFor } from '../../helpers/wait-for.js';
import { pendingRecord } from '../../helpers/with-simulator.js';
import { putRequests } from '../../helpers/received-requests.js';

/**
 * An Id in doubt (SPEC "Outputs"): X's first request is held by the server past --timeout and applied
 * later, after the retry and after X's next row. The run and the simulator share one virtual clock;
 * the per-attempt time limit is run by a faked interval, so nothing waits for real.
 */
let sim: Simulator | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await sim?.close();
  sim = undefined;
});

const X = usageId(0xd0);
const Y = usageId(0xd1);
const queries = (s: Simulator) => s.requests.filter((r) => r.path === '/v1/action/query');

/** Runs `lines` with X's first update held for `applyAfterMs`, gives the held request up at --timeout 1000, and returns the results. */
async function runHeld(lines: string[], overrides: Partial<RunOptions>, applyAfterMs = 2500, key = X) {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  const clock = virtualClock();
  const hold: FaultStep = { kind: 'hold', applyAfterMs };
  sim = await createSimulator({ records: [pendingRecord(X, { Quantity: 1 }), pendingRecord(Y, { Quantity: 1 })], faults: { [key]: [hold] }, now: clock.now });
  const simulator = sim;
  const { dir, input } = await inputFile('d.csv', ['Id,Quantity', ...lines]);
  const running = run(runOptions(input, simulator, { timeoutMs: 1000, maxAttempts: 3, concurrency: 1, ...overrides }), {
    logger: quietLogger,
    now: clock.now,
    sleep: clock.sleep,
    attemptNow: clock.now,
    random: () => 0.5,
  });
  await waitFor(() => simulator.requests.some((r) => r.outcome === 'hung'), { what: 'the first update held' });
  const heldAt = clock.now();
  clock.advance(1001);
  vi.advanceTimersByTime(1000);
  const summary = await running;
  const rows = await readCsv(`${dir}/d.results.csv`);
  return { summary, rows, clock, simulator, heldAt };
}

describe('an Id in doubt, by default', () => {
  it('the last row of X after a request that got no answer ends unknown EARLIER_ATTEMPT_IN_DOUBT; the late request does land', async () => {
    const { summary, rows, clock, simulator, heldAt } = await runHeld([`${X},5`, `${Y},2`, `${X},7`], {});
    expect(rows.map((r) => [r.Quantity, r.result, r.error_code])).toEqual([
      ['5', 'updated', ''],
      ['2', 'updated', ''],
      ['7', 'unknown', 'EARLIER_ATTEMPT_IN_DOUBT'],
    ]);
    expect(rows[2]?.error_message).toContain(`line 2) sent at ${new Date(heldAt).toISOString()} got no answer (ETIMEDOUT)`);
    expect(summary.inDoubt).toEqual({ ids: 1, settled: 0, resent: 0 });
    expect(summary.exitCode).toBe(2);
    expect(simulator.tenant.get(X)?.Quantity).toBe('7');
    // Why: the request given up on is applied after the last row.
    clock.advance(2500);
    simulator.applyHeld();
    expect(simulator.tenant.get(X)?.Quantity).toBe('5');
  });

  it('a request that got no answer followed only by its own row\'s retries leaves nothing in doubt', async () => {
    const { summary, rows } = await runHeld([`${X},5`, `${Y},2`], {});
    expect(rows.map((r) => [r.result, r.error_code, r.attempts])).toEqual([
      ['updated', '', '2'],
      ['updated', '', '1'],
    ]);
    expect(summary.inDoubt).toEqual({ ids: 0, settled: 0, resent: 0 });
    expect(summary.exitCode).toBe(0);
  });

  it('only the last row of the Id is in doubt; --verify reads made before the request is old do not clear it', async () => {
    const { rows, summary } = await runHeld([`${X},5`, `${X},6`, `${X},7`], { verify: true });
    expect(rows.map((r) => [r.result, r.error_code])).toEqual([
      ['updated', ''],
      ['updated', ''],
      ['unknown', 'EARLIER_ATTEMPT_IN_DOUBT'],
    ]);
    expect(summary.inDoubt?.ids).toBe(1);
  });

  it('--transport actions: a call whose attempt got no answer puts the later row of its Ids in doubt too', async () => {
    const { rows } = await runHeld([`${X},5`, `${X},7`], { transport: 'actions', batchSize: 50 }, 2500, ACTION_UPDATE_FAULT_KEY);
    expect(rows.map((r) => [r.result, r.error_code])).toEqual([
      ['updated', ''],
      ['unknown', 'EARLIER_ATTEMPT_IN_DOUBT'],
    ]);
  });
});

describe('--settle', () => {
  it('waits until the unanswered request is that old, reads X back, finds the late value and sends the last row again', async () => {
    const { summary, rows, simulator, heldAt, clock } = await runHeld([`${X},5`, `${Y},2`, `${X},7`], { settleSeconds: 5 });
    expect(rows.map((r) => [r.result, r.error_code])).toEqual([
      ['updated', ''],
      ['updated', ''],
      ['updated', 'RESENT_AFTER_SETTLE'],
    ]);
    expect(rows[2]?.attempts).toBe('2');
    expect(simulator.tenant.get(X)?.Quantity).toBe('7');
    expect(summary.inDoubt).toEqual({ ids: 1, settled: 0, resent: 1 });
    expect(summary.exitCode).toBe(0);
    // One batched read, made once the request was 5 s old (the late request had landed by then).
    const [read] = queries(simulator);
    expect(queries(simulator)).toHaveLength(1);
    expect(read?.body).toContain(X);
    expect(simulator.requests.find((r) => r.outcome === 'hung')?.appliedLate).toBe(true);
    expect(clock.now()).toBeGreaterThanOrEqual(heldAt + 5000);
  });

  it('SETTLED when the read-back finds the last row\'s values (the late request landed before it)', async () => {
    const { summary, rows, simulator } = await runHeld([`${X},5`, `${X},7`], { settleSeconds: 5 }, 1001);
    expect(rows.map((r) => [r.result, r.error_code])).toEqual([
      ['updated', ''],
      ['updated', 'SETTLED'],
    ]);
    expect(simulator.tenant.get(X)?.Quantity).toBe('7');
    expect(summary.inDoubt).toEqual({ ids: 1, settled: 1, resent: 0 });
    expect(putRequests(simulator)).toHaveLength(3);
  });
});
