import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../../src/run.js';
import { createSimulator, type Simulator } from '../../../src/simulator/create-simulator.js';
import { inputFile, readCsv } from '../../helpers/cli.js';
import { quietLogger, runOptions } from '../../helpers/run-options.js';
import { usageId } from '../../helpers/sender.js';
import { virtualClock } from '../../helpers/virtual-clock.js';
import { waitFor } from '../../helpers/wait-for.js';
import { pendingRecord } from '../../helpers/with-simulator.js';
import { putRequests } from '../../helpers/received-requests.js';

/**
 * The per-attempt time limit runs on an injected clock (`attemptNow`): a test moves the clock past the limit
 * and runs the sweep (a faked interval), and the request in flight is given up at once, with no real
 * wait of the 30 s default.
 */
let sim: Simulator | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await sim?.close();
  sim = undefined;
});

const X = usageId(0x7e1);

describe('per-attempt time limits on the injected clock', () => {
  it('times out a request with no answer when the run clock passes --timeout, and retries it', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const clock = virtualClock();
    sim = await createSimulator({ records: [pendingRecord(X)], faults: { [X]: [{ kind: 'hang' }] }, now: clock.now });
    const simulator = sim;
    const { dir, input } = await inputFile('t.csv', ['Id,Quantity', `${X},5`]);
    const running = run(runOptions(input, simulator, { timeoutMs: 30_000, maxAttempts: 2 }), { logger: quietLogger, now: clock.now, sleep: clock.sleep, attemptNow: clock.now });
    await waitFor(() => putRequests(simulator).some((r) => r.outcome === 'hung'), { what: 'the first PUT held' });
    clock.advance(30_001);
    vi.advanceTimersByTime(1_000);
    const summary = await running;
    expect(summary.counts.updated).toBe(1);
    const [row] = await readCsv(`${dir}/t.results.csv`);
    expect([row?.result, row?.attempts]).toEqual(['updated', '2']);
    expect(simulator.tenant.get(X)?.Quantity).toBe('5');
  });
});
