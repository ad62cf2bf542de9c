import { afterEach, describe, expect, it } from 'vitest';
import type { UsageFields } from '../../../src/rows/map-row.js';
import type { UsageUpdate } from '../../../src/send/transport.js';
import { createSimulator, TOKEN_FAULT_KEY, type FaultStep, type Simulator } from '../../../src/simulator/create-simulator.js';
import { senderFor, usageId, type SenderHarness } from '../../helpers/sender.js';
import { pendingRecord } from '../../helpers/with-simulator.js';
import { putRequests } from '../../helpers/received-requests.js';

let sim: Simulator | undefined;
let sender: SenderHarness | undefined;
afterEach(async () => {
  sender?.close();
  await sim?.close();
  sim = undefined;
  sender = undefined;
});

const ID = usageId(1);
const update = (fields: UsageFields = { Quantity: '12.5' }, id = ID): UsageUpdate => ({ id, fields, trackId: 'test-run-7' });

async function start(faults: FaultStep[], options: Parameters<typeof senderFor>[1] = {}) {
  sim = await createSimulator({ records: [pendingRecord(ID)], faults: { [ID]: faults } });
  sender = senderFor(sim, options);
  return { sim, sender };
}

describe('putUsage: every retryable case recovers and records its attempts', () => {
  const retryable: Array<[string, FaultStep[]]> = [
    ['HTTP 500 with an empty body', [{ kind: 'status', status: 500 }]],
    ['HTTP 502 HTML gateway page', [{ kind: 'status', status: 502, body: '<html><body>Bad Gateway</body></html>' }]],
    ['HTTP 503 twice', [{ kind: 'status', status: 503 }, { kind: 'status', status: 503 }]],
    ['HTTP 504', [{ kind: 'status', status: 504 }]],
    ['HTTP 408', [{ kind: 'status', status: 408 }]],
    ['a dropped connection', [{ kind: 'drop' }]],
    ['applied, then the connection dropped', [{ kind: 'apply-then-drop' }]],
    ['429 v1 body', [{ kind: 'rate-limited', retryAfterSeconds: 2, shape: 'v1' }]],
    ['429 concurrency body', [{ kind: 'rate-limited', retryAfterSeconds: 2, shape: 'code' }]],
    ['429 CRUD body', [{ kind: 'rate-limited', retryAfterSeconds: 2, shape: 'crud' }]],
    ['LOCK_COMPETITION with HTTP 200', [{ kind: 'zuora-error', code: 'LOCK_COMPETITION', status: 200 }]],
    ['TEMPORARY_ERROR with HTTP 400', [{ kind: 'zuora-error', code: 'TEMPORARY_ERROR', status: 400 }]],
    ['SERVER_UNAVAILABLE', [{ kind: 'zuora-error', code: 'SERVER_UNAVAILABLE' }]],
    ['401 Failed to get user info', [{ kind: 'unauthorized', message: 'Failed to get user info' }]],
  ];

  it.each(retryable)('%s', async (_name, faults) => {
    const { sim, sender } = await start(faults);
    const result = await sender.put(update());
    expect(result).toMatchObject({ result: 'updated', attempts: faults.length + 1, httpStatus: 200 });
    expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const puts = putRequests(sim);
    expect(puts).toHaveLength(faults.length + 1);
    expect(new Set(puts.map((p) => p.trackId))).toEqual(new Set(['test-run-7']));
    expect(sim.tenant.get(ID)?.Quantity).toBe('12.5');
    expect(sender.sleeps).toHaveLength(faults.length);
  });

  it('counts the row as retrying while it waits for its next attempt, for the progress bar', async () => {
    const retries = { waiting: 0 };
    const seen: number[] = [];
    const { sender } = await start([{ kind: 'status', status: 503 }, { kind: 'status', status: 503 }], {
      retries,
      sleep: async () => {
        seen.push(retries.waiting);
      },
    });
    expect(await sender.put(update())).toMatchObject({ result: 'updated', attempts: 3 });
    expect(seen).toEqual([1, 1]);
    expect(retries.waiting).toBe(0);
  });

  it('a request with no answer times out and is retried', async () => {
    const { sim, sender } = await start([{ kind: 'hang' }], { timeoutMs: 300 });
    const result = await sender.put(update());
    expect(result).toMatchObject({ result: 'updated', attempts: 2 });
    expect(putRequests(sim)).toHaveLength(2);
  });

  it('waits at least Retry-After after a 429 (through the run-wide throttle)', async () => {
    const { sender } = await start([{ kind: 'rate-limited', retryAfterSeconds: 120, shape: 'code' }]);
    await sender.put(update());
    expect(Math.max(...sender.sleeps)).toBeGreaterThanOrEqual(119_000);
  });

  it('backs off exponentially between attempts, within the full-jitter ceilings', async () => {
    const { sender } = await start(Array.from({ length: 4 }, (): FaultStep => ({ kind: 'status', status: 503 })), {
      random: () => 0.999,
    });
    await sender.put(update());
    expect(sender.sleeps).toEqual([999, 1998, 3996, 7992]);
  });
});

describe('putUsage: permanent failures fail once with Zuora code and message', () => {
  it('unknown id -> INVALID_ID', async () => {
    const { sim, sender } = await start([]);
    const result = await sender.put(update({ Quantity: '1' }, usageId(999)));
    expect(result).toMatchObject({ result: 'failed', attempts: 1, httpStatus: 400, errorCode: 'INVALID_ID' });
    expect(putRequests(sim)).toHaveLength(1);
  });

  it('unrecognised field with rejectUnknownFields', async () => {
    const { sim, sender } = await start([]);
    const result = await sender.put(update({ Quantity: '1', Colour__x: 'red' }));
    expect(result).toMatchObject({ result: 'failed', attempts: 1, httpStatus: 400, errorMessage: 'Error - unrecognised fields' });
    expect(putRequests(sim)[0]?.query).toEqual({ rejectUnknownFields: 'true' });
  });

  it('billed usage refuses a quantity change', async () => {
    sim = await createSimulator({ records: [pendingRecord(ID, { RbeStatus: 'Processed' })] });
    sender = senderFor(sim);
    const result = await sender.put(update());
    expect(result).toMatchObject({ result: 'failed', attempts: 1, httpStatus: 400, errorCode: 'INVALID_VALUE' });
    expect(result.errorMessage).toMatch(/billed|Processed/i);
    expect(String(sim.tenant.get(ID)?.Quantity)).toBe('1');
  });

  it('dynamic-pricing usage refuses any change', async () => {
    sim = await createSimulator({ records: [pendingRecord(ID, { dynamicPricing: true })] });
    sender = senderFor(sim);
    const result = await sender.put(update());
    expect(result).toMatchObject({ result: 'failed', attempts: 1, errorCode: 'INVALID_VALUE' });
    expect(result.errorMessage).toMatch(/dynamic/i);
  });

  it('Success:false with HTTP 200 and a permanent code is a failure, not retried', async () => {
    const { sim, sender } = await start([{ kind: 'zuora-error', code: 'TRANSACTION_TERMINATED', status: 200 }]);
    const result = await sender.put(update());
    expect(result).toMatchObject({ result: 'failed', attempts: 1, httpStatus: 200, errorCode: 'TRANSACTION_TERMINATED' });
    expect(putRequests(sim)).toHaveLength(1);
  });

  it('HTTP 403 is not retried', async () => {
    const { sim, sender } = await start([{ kind: 'status', status: 403, body: '{"code":50000040,"message":"Forbidden"}' }]);
    const result = await sender.put(update());
    expect(result).toMatchObject({ result: 'failed', attempts: 1, httpStatus: 403, errorCode: '50000040', errorMessage: 'Forbidden' });
    expect(putRequests(sim)).toHaveLength(1);
  });
});

describe('putUsage: when attempts run out', () => {
  it('a 503 every time -> failed with the last answer after --max-attempts requests', async () => {
    const { sim, sender } = await start(Array.from({ length: 5 }, (): FaultStep => ({ kind: 'status', status: 503 })), {
      maxAttempts: 3,
    });
    const result = await sender.put(update());
    expect(result).toMatchObject({ result: 'failed', attempts: 3, httpStatus: 503 });
    expect(putRequests(sim)).toHaveLength(3);
  });

  it('no answer every time -> unknown (the update may or may not have been applied)', async () => {
    const { sender } = await start([{ kind: 'drop' }, { kind: 'drop' }], { maxAttempts: 2 });
    const result = await sender.put(update());
    expect(result.result).toBe('unknown');
    expect(result.attempts).toBe(2);
    expect(result.errorCode).toBe('ECONNRESET');
    expect(result.errorMessage).toMatch(/may or may not/);
  });
});

describe('putUsage: an attempt that got no answer, then answers that are not success', () => {
  const after: Array<[string, FaultStep]> = [
    ['HTTP 503', { kind: 'status', status: 503 }],
    ['429', { kind: 'rate-limited', retryAfterSeconds: 1, shape: 'code' }],
    ['LOCK_COMPETITION', { kind: 'zuora-error', code: 'LOCK_COMPETITION' }],
    ['a permanent 400', { kind: 'zuora-error', code: 'INVALID_VALUE', message: 'Invalid value.' }],
  ];

  it.each(after)('applied, answer lost, then %s -> unknown (never failed), the last answer in the message', async (_name, fault) => {
    const { sim, sender } = await start([{ kind: 'apply-then-drop' }, fault], { maxAttempts: 2 });
    const result = await sender.put(update());
    expect(sim.tenant.get(ID)?.Quantity).toBe('12.5');
    expect(result).toMatchObject({ result: 'unknown', attempts: 2, errorCode: 'ECONNRESET' });
    expect(result.errorMessage).toMatch(/got no answer \(ECONNRESET\), so the update may or may not have been applied; the last attempt: /);
    expect(result.unanswered?.code).toBe('ECONNRESET');
  });

  it('applied, answer lost, then refused at connect (ECONNREFUSED) -> unknown, not "the update was not sent"', async () => {
    const { sim } = await start([{ kind: 'apply-then-drop' }]);
    // The simulator goes away during the backoff: the retry finds nothing listening.
    const harness = senderFor(sim, { maxAttempts: 2, sleep: () => sim.close() });
    sender = harness;
    const result = await harness.put(update());
    expect(sim.tenant.get(ID)?.Quantity).toBe('12.5');
    expect(result).toMatchObject({ result: 'unknown', attempts: 2, errorCode: 'ECONNRESET' });
    expect(result.errorMessage).toMatch(/the last attempt: ECONNREFUSED could not reach/);
  });
});

describe('putUsage: the request on the wire', () => {
  it('sends a gzipped JSON body with the exact digits, bearer token and Zuora headers', async () => {
    const { sim, sender } = await start([], { extraHeaders: { 'zuora-entity-ids': 'e1', 'zuora-org-ids': 'o1', 'zuora-version': '211.0' } });
    await sender.put(update({ Quantity: '1234567890123.123456789' }));
    const [put] = putRequests(sim);
    expect(put).toMatchObject({ path: `/v1/object/usage/${ID}`, contentEncoding: 'gzip', body: '{"Quantity":1234567890123.123456789}' });
    expect(put?.headers).toMatchObject({
      'content-type': 'application/json',
      'accept-encoding': 'gzip',
      'zuora-track-id': 'test-run-7',
      'zuora-entity-ids': 'e1',
      'zuora-org-ids': 'o1',
      'zuora-version': '211.0',
    });
    expect(put?.headers.authorization).toMatch(/^Bearer [0-9a-f]+/);
    expect(sim.tenant.get(ID)?.Quantity).toBe('1234567890123.123456789');
  });

  it('sends plain JSON without Content-Encoding or rejectUnknownFields when turned off', async () => {
    const { sim, sender } = await start([], { gzip: false, rejectUnknownFields: false });
    await sender.put(update());
    const [put] = putRequests(sim);
    expect(put?.contentEncoding).toBeUndefined();
    expect(put?.query).toEqual({});
    expect(put?.headers['zuora-entity-ids']).toBeUndefined();
  });
});

describe('putUsage: authentication', () => {
  it('a 401 renews the token once and retries the row', async () => {
    const { sim, sender } = await start([{ kind: 'unauthorized' }]);
    const result = await sender.put(update());
    expect(result).toMatchObject({ result: 'updated', attempts: 2 });
    expect(sim.stats.tokensIssued).toBe(2);
  });

  it('a refused static token stops the run (credentialsRefused)', async () => {
    sim = await createSimulator({ records: [pendingRecord(ID)], staticTokens: ['static-token'] });
    sender = senderFor(sim, { credentials: { kind: 'token', token: 'wrong-token' } });
    const result = await sender.put(update());
    expect(result).toMatchObject({ result: 'failed', httpStatus: 401, credentialsRefused: true, attempts: 1 });
  });

  it('a static token that works is sent as is', async () => {
    sim = await createSimulator({ records: [pendingRecord(ID)], staticTokens: ['static-token'] });
    sender = senderFor(sim, { credentials: { kind: 'token', token: 'static-token' } });
    expect((await sender.put(update())).result).toBe('updated');
    expect(putRequests(sim)[0]?.headers.authorization).toBe('Bearer static-token');
  });

  it('revoked client credentials: the fresh token is refused too -> credentialsRefused', async () => {
    const { sim, sender } = await start([]);
    expect((await sender.put(update())).result).toBe('updated');
    sim.revokeAllTokens();
    const result = await sender.put(update({ Quantity: '2' }));
    expect(result.credentialsRefused).toBe(true);
  });

  it('the token endpoint unreachable on the renewal after a 401: failed, unreachable (exit 3), not refused nor unknown', async () => {
    const { sim, sender } = await start([], { maxAttempts: 2 });
    expect((await sender.put(update())).result).toBe('updated');
    sim.expireAllTokens();
    sim.script(TOKEN_FAULT_KEY, Array.from({ length: 8 }, () => ({ kind: 'status', status: 503 })));
    const result = await sender.put(update({ Quantity: '2' }));
    expect(result).toMatchObject({ result: 'failed', attempts: 1, httpStatus: 401, errorCode: 'ZUORA_UNREACHABLE', unreachable: true });
    expect(result.errorMessage).toMatch(/Could not get an OAuth token .* The update was not sent\.$/);
    expect(result.credentialsRefused).toBeUndefined();
  });

  it('the token endpoint unreachable before the first PUT: failed, unreachable, nothing sent', async () => {
    const { sim, sender } = await start([], { maxAttempts: 2 });
    sim.script(TOKEN_FAULT_KEY, Array.from({ length: 8 }, () => ({ kind: 'status', status: 503 })));
    expect(await sender.put(update())).toMatchObject({ result: 'failed', attempts: 0, errorCode: 'ZUORA_UNREACHABLE', unreachable: true });
    expect(putRequests(sim)).toEqual([]);
  });

  it('many rows in flight on an expired token share one renewal', async () => {
    sim = await createSimulator({ acceptAnyId: true, latencyMs: 20 });
    sender = senderFor(sim);
    const s = sender;
    await s.put(update({ Quantity: '1' }, usageId(1)));
    sim.expireAllTokens();
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => s.put(update({ Quantity: '3' }, usageId(100 + i)))));
    expect(results.every((r) => r.result === 'updated')).toBe(true);
    expect(sim.stats.tokensIssued).toBe(2);
  });
});
