import { describe, expect, it } from 'vitest';
import { TOKEN_FAULT_KEY, type FaultStep, type UsageRecord } from '../../../src/simulator/create-simulator.js';
import { pendingRecord, simulatorToken, useSimulator } from '../../helpers/with-simulator.js';
import { waitFor } from '../../helpers/wait-for.js';
import { call, getUsage, json, putUsage } from './http-call.js';
import { putRequests } from '../../helpers/received-requests.js';

const ID = '8ad08ae29085a77b0190908bfdd67abb';

const seeded: UsageRecord = pendingRecord(ID, { Quantity: 12.5 });

const sim = useSimulator(() => ({ records: [{ ...seeded }] }));

async function putQuantity(quantity: number, timeoutMs?: number) {
  const options = timeoutMs === undefined ? {} : { timeoutMs };
  return putUsage(sim().url, await simulatorToken(sim()), ID, `{"Quantity":${quantity}}`, options);
}

function scripted(...steps: FaultStep[]): void {
  sim().script(ID, steps);
}

describe('scripted faults', () => {
  it('consumes one step per request on the id, in order, then behaves normally', async () => {
    scripted({ kind: 'status', status: 503 }, { kind: 'status', status: 500 });
    const first = await putQuantity(1);
    expect(first.status).toBe(503);
    expect(first.text).toBe('');
    expect(first.headers['zuora-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect((await putQuantity(2)).status).toBe(500);
    expect((await putQuantity(3)).status).toBe(200);
    expect(sim().tenant.get(ID)?.Quantity).toBe('3');
  });

  it('takes faults given at creation and from script() after those', async () => {
    await sim().close();
    const { createSimulator } = await import('../../../src/simulator/create-simulator.js');
    const other = await createSimulator({ records: [{ ...seeded }], faults: { [ID]: [{ kind: 'status', status: 502 }] } });
    try {
      other.script(ID, [{ kind: 'status', status: 504 }]);
      const token = await simulatorToken(other);
      expect((await getUsage(other.url, token, ID)).status).toBe(502);
      expect((await getUsage(other.url, token, ID)).status).toBe(504);
      expect((await getUsage(other.url, token, ID)).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('sends an HTML gateway body as text/html, with extra headers', async () => {
    scripted({ kind: 'status', status: 502, body: '<html><body>502 Bad Gateway</body></html>', headers: { Server: 'gateway' } });
    const res = await putQuantity(1);
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.headers.server).toBe('gateway');
    expect(res.text).toContain('Bad Gateway');
  });

  it('drops the connection without answering', async () => {
    scripted({ kind: 'drop' });
    await expect(putQuantity(1)).rejects.toMatchObject({ code: 'ECONNRESET' });
    const dropped = putRequests(sim())[0];
    expect(dropped?.outcome).toBe('dropped');
    expect(dropped?.status).toBeUndefined();
    expect(sim().tenant.get(ID)?.Quantity).toBe('12.5');
  });

  it('applies the update and then drops the connection (apply-then-drop)', async () => {
    scripted({ kind: 'apply-then-drop' });
    await expect(putQuantity(77)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(sim().tenant.get(ID)?.Quantity).toBe('77');
    expect(putRequests(sim())[0]?.outcome).toBe('dropped');
  });

  it('hangs until the client gives up; close() still returns promptly with a hung request', async () => {
    scripted({ kind: 'hang' }, { kind: 'hang' });
    await expect(putQuantity(1, 100)).rejects.toThrow(/client timeout/);
    const hung = putRequests(sim())[0];
    // The server learns of the client's close a moment after the client gave up.
    await waitFor(() => hung?.finishedAt !== undefined);
    expect(hung).toMatchObject({ outcome: 'hung', clientClosed: true });
    expect(sim().stats.inFlight).toBe(0);

    const pending = putQuantity(2).catch((error: unknown) => error);
    await waitFor(() => putRequests(sim()).length === 2);
    await sim().close();
    // A hung request never ends by itself: close() ended it, unanswered.
    expect(putRequests(sim())[1]?.outcome).toBe('hung');
    expect(putRequests(sim())[1]?.status).toBeUndefined();
    expect(await pending).toMatchObject({ code: 'ECONNRESET' });
  });

  it.each([
    ['v1', { success: false, reasons: [{ code: 70, message: expect.stringMatching(/^API Rate limit exceeded/) }] }],
    ['code', { code: 'REQUEST_EXCEEDED_LIMIT', message: expect.stringMatching(/concurrent requests have exceeded the limit/) }],
    ['crud', { Success: false, Errors: [{ Code: 'REQUEST_EXCEEDED_RATE', Message: expect.any(String) }] }],
  ] as const)('answers 429 with Retry-After and the %s body shape', async (shape, body) => {
    scripted({ kind: 'rate-limited', retryAfterSeconds: 7, shape });
    const res = await putQuantity(1);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(json(res)).toEqual(body);
  });

  it('defaults a 429 to Retry-After 1 and the v1 shape', async () => {
    scripted({ kind: 'rate-limited' });
    const res = await putQuantity(1);
    expect(res.headers['retry-after']).toBe('1');
    expect(json(res)).toHaveProperty('reasons');
  });

  it('answers a Success:false envelope with the code asked, at 400 by default or 200 on request', async () => {
    scripted({ kind: 'zuora-error', code: 'LOCK_COMPETITION' }, { kind: 'zuora-error', code: 'TEMPORARY_ERROR', message: 'try later', status: 200 });
    const lock = await putQuantity(1);
    expect(lock.status).toBe(400);
    expect(json(lock)).toEqual({ Success: false, Errors: [{ Code: 'LOCK_COMPETITION', Message: expect.stringMatching(/lock competition/) }] });
    const temporary = await putQuantity(1);
    expect(temporary.status).toBe(200);
    expect(json(temporary)).toEqual({ Success: false, Errors: [{ Code: 'TEMPORARY_ERROR', Message: 'try later' }] });
    expect(sim().tenant.get(ID)?.Quantity).toBe('12.5');
  });

  it('answers 401 with either Zuora message and a WWW-Authenticate header', async () => {
    scripted({ kind: 'unauthorized', message: 'Failed to get user info' }, { kind: 'unauthorized' });
    const transient = await putQuantity(1);
    expect(transient.status).toBe(401);
    expect(json(transient)).toEqual({ message: 'Failed to get user info' });
    expect(transient.headers['www-authenticate']).toMatch(/^Bearer realm="Zuora"/);
    expect(json(await putQuantity(1))).toEqual({ message: 'Authentication error' });
  });

  it('checks the token before faults: a refused token does not consume a step', async () => {
    scripted({ kind: 'status', status: 503 });
    expect((await putUsage(sim().url, 'bad-token', ID, '{"Quantity":1}')).status).toBe(401);
    expect((await putQuantity(1)).status).toBe(503);
  });

  it('scripts the token endpoint with TOKEN_FAULT_KEY', async () => {
    sim().script(TOKEN_FAULT_KEY, [{ kind: 'status', status: 503 }]);
    await expect(simulatorToken(sim())).rejects.toThrow(/503/);
    await expect(simulatorToken(sim())).resolves.toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps faults per id: another id is unaffected', async () => {
    scripted({ kind: 'status', status: 503 });
    const other = await call(sim().url, {
      path: '/v1/object/usage/8ad00000000000000000000000000000',
      headers: { Authorization: `Bearer ${await simulatorToken(sim())}` },
    });
    expect(other.status).toBe(404);
    expect((await putQuantity(1)).status).toBe(503);
  });
});

describe('a request held past the client giving up (hold), on the simulator clock', () => {
  it('is not answered, then applied once due: at the next request, or by applyHeld()', async () => {
    await sim().close();
    const { createSimulator } = await import('../../../src/simulator/create-simulator.js');
    let t = 1_000_000;
    const other = await createSimulator({ records: [{ ...seeded }], faults: { [ID]: [{ kind: 'pass' }, { kind: 'hold', applyAfterMs: 2500 }] }, now: () => t });
    try {
      const token = await simulatorToken(other);
      expect((await putUsage(other.url, token, ID, '{"Quantity":4}')).status).toBe(200);
      const controller = new AbortController();
      const held = putUsage(other.url, token, ID, '{"Quantity":5}', { signal: controller.signal }).catch((error: unknown) => error);
      await waitFor(() => other.requests.some((r) => r.outcome === 'hung'), { what: 'the PUT held' });
      controller.abort();
      await held;
      expect((await putUsage(other.url, token, ID, '{"Quantity":7}')).status).toBe(200);
      t += 2499;
      other.applyHeld();
      expect(other.tenant.get(ID)?.Quantity).toBe('7');
      t += 1;
      // The next request's arrival applies it first: the read sees the late value.
      expect((await getUsage(other.url, token, ID)).status).toBe(200);
      expect(other.tenant.get(ID)?.Quantity).toBe('5');
      expect(other.requests.find((r) => r.outcome === 'hung')?.appliedLate).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('holdFirstUpdateMs holds the first PUT of each id only', async () => {
    await sim().close();
    const { createSimulator } = await import('../../../src/simulator/create-simulator.js');
    let t = 1_000_000;
    const other = await createSimulator({ records: [{ ...seeded }], holdFirstUpdateMs: 1000, now: () => t });
    try {
      const token = await simulatorToken(other);
      const first = putUsage(other.url, token, ID, '{"Quantity":5}', { timeoutMs: 50 }).catch((error: unknown) => error);
      await waitFor(() => other.requests.some((r) => r.outcome === 'hung'), { what: 'the first PUT held' });
      await first;
      expect((await putUsage(other.url, token, ID, '{"Quantity":6}')).status).toBe(200);
      t += 1000;
      other.applyHeld();
      expect(other.tenant.get(ID)?.Quantity).toBe('5');
    } finally {
      await other.close();
    }
  });
});
