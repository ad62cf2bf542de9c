import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../../src/run.js';
import { createActionsTransport, type ActionsTransport } from '../../../src/send/actions-transport.js';
import { sendUpdates } from '../../../src/send/send-updates.js';
import type { SendItem } from '../../../src/send/transport.js';
import type { SendResult } from '../../../src/send/zuora-call.js';
import {
  ACTION_UPDATE_FAULT_KEY,
  createSimulator,
  type FaultStep,
  type ReceivedRequest,
  type Simulator,
  type SimulatorOptions,
  TOKEN_FAULT_KEY,
} from '../../../src/simulator/create-simulator.js';
import { readCsv, workdir } from '../../helpers/cli.js';
import { writeCorrections } from '../../helpers/generate.js';
import { quietLogger, runOptions, virtualTime } from '../../helpers/run-options.js';
import { senderFor, usageId, type SenderHarness } from '../../helpers/sender.js';
import { putRequests } from '../../helpers/received-requests.js';

/**
 * The Actions transport against the simulator over loopback HTTP: the production call loop, throttle and
 * token provider, with an instant injected sleep so backoff is computed but never waited for.
 */
let sim: Simulator | undefined;
let sender: SenderHarness | undefined;
let transport: ActionsTransport | undefined;
afterEach(async () => {
  transport?.close();
  sender?.close();
  await sim?.close();
  sim = undefined;
  sender = undefined;
  transport = undefined;
});

async function start(options: SimulatorOptions, harness: Parameters<typeof senderFor>[1] = {}, batchSize = 50): Promise<{ sim: Simulator; send: (item: SendItem) => Promise<SendResult> }> {
  sim = await createSimulator({ acceptAnyId: true, ...options });
  sender = senderFor(sim, harness);
  transport = createActionsTransport(sender.ctx, { concurrency: 4, batchSize, trackPrefix: 'it', lingerMs: 1 });
  return { sim, send: transport.send };
}

const row = (n: number, quantity = `${n}.5`): SendItem => ({ seq: n, line: n + 2, cells: [], update: { id: usageId(n), fields: { Quantity: quantity }, trackId: `it-${n + 2}` } });

function calls(s: Simulator): ReceivedRequest[] {
  return s.requests.filter((r) => r.path === '/v1/action/update');
}

function idsOf(request: ReceivedRequest): string[] {
  return (JSON.parse(request.body) as { objects: Array<{ Id: string }> }).objects.map((o) => o.Id);
}

const sendAll = (send: (item: SendItem) => Promise<SendResult>, rows: SendItem[]): Promise<SendResult[]> => Promise.all(rows.map((item) => send(item)));

describe('Actions transport: one call carries many rows', () => {
  it('sends rows as objects of one gzipped call with Id and the exact PUT body fields; each row gets the call ids', async () => {
    const { sim, send } = await start({});
    const results = await sendAll(send, [row(1, '1234567890123.123456789'), row(2), row(3)]);
    const [call] = calls(sim);
    expect(calls(sim)).toHaveLength(1);
    expect(call?.body).toBe(`{"type":"Usage","objects":[{"Id":"${usageId(1)}","Quantity":1234567890123.123456789},{"Id":"${usageId(2)}","Quantity":2.5},{"Id":"${usageId(3)}","Quantity":3.5}]}`);
    expect(call).toMatchObject({ contentEncoding: 'gzip', trackId: 'it-b1', query: { rejectUnknownFields: 'true' } });
    expect(call?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(call?.headers.authorization).toMatch(/^Bearer /);
    for (const result of results) expect(result).toEqual({ result: 'updated', attempts: 1, httpStatus: 200, requestId: call?.requestId, trackId: 'it-b1' });
    expect(sim.tenant.get(usageId(1))?.Quantity).toBe('1234567890123.123456789');
  });

  it('a "try later" object is sent again in a later call, after a backoff, with every call counted in its attempts', async () => {
    const { sim, send } = await start({ objectFaults: { [usageId(2)]: [{ code: 'LOCK_COMPETITION', times: 2 }] } });
    const results = await sendAll(send, [row(1), row(2), row(3)]);
    expect(results[1]).toMatchObject({ result: 'updated', attempts: 3, trackId: 'it-b3' });
    expect(results[0]).toMatchObject({ result: 'updated', attempts: 1, trackId: 'it-b1' });
    expect(calls(sim).map(idsOf)).toEqual([[usageId(1), usageId(2), usageId(3)], [usageId(2)], [usageId(2)]]);
    // Each later call is a new call: its own track id and Idempotency-Key.
    expect(new Set(calls(sim).map((c) => c.headers['idempotency-key'])).size).toBe(3);
    expect(sender!.sleeps).toHaveLength(2);
    expect(sim.tenant.get(usageId(2))?.Quantity).toBe('2.5');
  });

  it('--max-attempts bounds the calls that carry a row answered "try later" every time', async () => {
    const { sim, send } = await start({ objectFaults: { [usageId(1)]: [{ code: 'TEMPORARY_ERROR', times: 9 }] } }, { maxAttempts: 3 });
    const [result] = await sendAll(send, [row(1)]);
    expect(result).toMatchObject({ result: 'failed', attempts: 3, errorCode: 'TEMPORARY_ERROR', httpStatus: 200, trackId: 'it-b3' });
    expect(calls(sim)).toHaveLength(3);
  });

  it('any other per-object code fails that row only, at once, with Zuora code and message', async () => {
    const { sim, send } = await start({ objectFaults: { [usageId(2)]: [{ code: 'INVALID_VALUE', message: 'no' }] } });
    const results = await sendAll(send, [row(1), row(2)]);
    expect(results.map((r) => r.result)).toEqual(['updated', 'failed']);
    expect(results[1]).toMatchObject({ errorCode: 'INVALID_VALUE', errorMessage: 'no', attempts: 1 });
    expect(calls(sim)).toHaveLength(1);
  });
});

describe('Actions transport: whole-call failures', () => {
  it.each<[string, FaultStep]>([
    ['HTTP 503', { kind: 'status', status: 503 }],
    ['HTTP 502 gateway page', { kind: 'status', status: 502, body: '<html>Bad Gateway</html>' }],
    ['a dropped connection', { kind: 'drop' }],
    ['429 with Retry-After', { kind: 'rate-limited', retryAfterSeconds: 2, shape: 'code' }],
    ['401 Failed to get user info', { kind: 'unauthorized', message: 'Failed to get user info' }],
    ['409: a request with this Idempotency-Key still in progress', { kind: 'status', status: 409, body: '{"message":"still in progress; retry later"}' }],
  ])('%s: the same call is sent again with the same track id and Idempotency-Key', async (_name, fault) => {
    const { sim, send } = await start({ faults: { [ACTION_UPDATE_FAULT_KEY]: [fault] } });
    const results = await sendAll(send, [row(1), row(2)]);
    expect(results.every((r) => r.result === 'updated' && r.attempts === 2 && r.trackId === 'it-b1')).toBe(true);
    const [first, second] = calls(sim);
    expect(calls(sim)).toHaveLength(2);
    expect(second?.trackId).toBe(first?.trackId);
    expect(second?.headers['idempotency-key']).toBe(first?.headers['idempotency-key']);
    expect(second?.rawBodyBytes).toBe(first?.rawBodyBytes);
  });

  it('applied, then the connection dropped: the repeat with the same Idempotency-Key is answered from Zuora\'s memory', async () => {
    const { sim, send } = await start({ faults: { [ACTION_UPDATE_FAULT_KEY]: [{ kind: 'apply-then-drop' }] } });
    const results = await sendAll(send, [row(1), row(2)]);
    expect(results.every((r) => r.result === 'updated' && r.attempts === 2)).toBe(true);
    expect(calls(sim)[1]?.replayed).toBe(true);
  });

  it('a 401 renews the token once and sends the same call again', async () => {
    const { sim, send } = await start({ faults: { [ACTION_UPDATE_FAULT_KEY]: [{ kind: 'unauthorized' }] } });
    const results = await sendAll(send, [row(1), row(2)]);
    expect(results.every((r) => r.result === 'updated' && r.attempts === 2)).toBe(true);
    expect(sim.stats.tokensIssued).toBe(2);
    expect(calls(sim)[1]?.headers['idempotency-key']).toBe(calls(sim)[0]?.headers['idempotency-key']);
  });

  it('the token endpoint unreachable on the renewal after a 401: every row of the call failed, unreachable (exit 3), not refused', async () => {
    const { sim, send } = await start({}, { maxAttempts: 2 });
    expect((await send(row(1))).result).toBe('updated');
    sim.expireAllTokens();
    sim.script(TOKEN_FAULT_KEY, Array.from({ length: 8 }, () => ({ kind: 'status', status: 503 })));
    const results = await sendAll(send, [row(2), row(3)]);
    for (const result of results) {
      expect(result).toMatchObject({ result: 'failed', attempts: 1, httpStatus: 401, errorCode: 'ZUORA_UNREACHABLE', unreachable: true, trackId: 'it-b2' });
      expect(result.errorMessage).toMatch(/Could not get an OAuth token .* The update was not sent\.$/);
      expect(result.credentialsRefused).toBeUndefined();
    }
  });

  it('the token endpoint unreachable before the first call: every row failed, unreachable, nothing sent', async () => {
    const { sim, send } = await start({}, { maxAttempts: 2 });
    sim.script(TOKEN_FAULT_KEY, Array.from({ length: 8 }, () => ({ kind: 'status', status: 503 })));
    const results = await sendAll(send, [row(1), row(2)]);
    for (const result of results) expect(result).toMatchObject({ result: 'failed', attempts: 0, errorCode: 'ZUORA_UNREACHABLE', unreachable: true });
    expect(calls(sim)).toEqual([]);
  });

  it('waits at least Retry-After after a 429 (through the run-wide throttle)', async () => {
    await start({ faults: { [ACTION_UPDATE_FAULT_KEY]: [{ kind: 'rate-limited', retryAfterSeconds: 120, shape: 'code' }] } });
    await sendAll(transport!.send, [row(1)]);
    expect(Math.max(...sender!.sleeps)).toBeGreaterThanOrEqual(119_000);
  });

  it('no answer to any attempt: every row of the call is unknown', async () => {
    const { sim, send } = await start({ faults: { [ACTION_UPDATE_FAULT_KEY]: [{ kind: 'drop' }, { kind: 'drop' }] } }, { maxAttempts: 2 });
    const results = await sendAll(send, [row(1), row(2), row(3)]);
    for (const result of results) {
      expect(result).toMatchObject({ result: 'unknown', attempts: 2, errorCode: 'ECONNRESET', trackId: 'it-b1' });
      expect(result.errorMessage).toMatch(/may or may not/);
    }
    expect(calls(sim)).toHaveLength(2);
  });

  it.each<[string, FaultStep]>([
    ['HTTP 503', { kind: 'status', status: 503 }],
    ['429', { kind: 'rate-limited', retryAfterSeconds: 1, shape: 'code' }],
  ])('a call whose attempt got no answer, then %s on the last attempt: every row unknown, never failed', async (_name, fault) => {
    const { send } = await start({ faults: { [ACTION_UPDATE_FAULT_KEY]: [{ kind: 'drop' }, fault] } }, { maxAttempts: 2 });
    const results = await sendAll(send, [row(1), row(2)]);
    for (const result of results) {
      expect(result).toMatchObject({ result: 'unknown', attempts: 2, errorCode: 'ECONNRESET', trackId: 'it-b1' });
      expect(result.errorMessage).toMatch(/got no answer \(ECONNRESET\).*; the last attempt: /);
    }
  });

  it('a call whose attempt got no answer, then an object answered LOCK_COMPETITION until its attempts ran out: that row unknown, never failed', async () => {
    const { send } = await start({ faults: { [ACTION_UPDATE_FAULT_KEY]: [{ kind: 'drop' }] }, objectFaults: { [usageId(1)]: [{ code: 'LOCK_COMPETITION', times: 5 }] } }, { maxAttempts: 3 });
    const [first, second] = await sendAll(send, [row(1), row(2)]);
    expect(second).toMatchObject({ result: 'updated', attempts: 2 });
    expect(first).toMatchObject({ result: 'unknown', attempts: 3, errorCode: 'ECONNRESET' });
    expect(first?.errorMessage).toMatch(/the last attempt: LOCK_COMPETITION/);
  });

  it('still "in progress" (409) on every attempt: the rows are unknown, since the first request may yet be applied', async () => {
    const busy: FaultStep = { kind: 'status', status: 409, body: '{"message":"A request with this Idempotency-Key is still in progress; retry later."}' };
    const { send } = await start({ faults: { [ACTION_UPDATE_FAULT_KEY]: [busy, busy] } }, { maxAttempts: 2 });
    const results = await sendAll(send, [row(1), row(2)]);
    expect(results.every((r) => r.result === 'unknown' && r.httpStatus === 409 && r.attempts === 2)).toBe(true);
    expect(results[0]?.errorMessage).toMatch(/still in progress/);
  });

  it('an answer with the wrong number of results: every row unknown, the message saying it could not be matched', async () => {
    const body = JSON.stringify([{ Id: usageId(1), Success: true }, { Id: usageId(2), Success: true }]);
    const { sim, send } = await start({ faults: { [ACTION_UPDATE_FAULT_KEY]: [{ kind: 'status', status: 200, body }] } });
    const results = await sendAll(send, [row(1), row(2), row(3)]);
    for (const result of results) {
      expect(result).toMatchObject({ result: 'unknown', attempts: 1, httpStatus: 200, errorCode: 'UNEXPECTED_ANSWER' });
      expect(result.errorMessage).toMatch(/2 results for 3 objects.*could not be matched/);
    }
    expect(calls(sim)).toHaveLength(1);
  });

  it('a 2xx that is not Zuora\'s answer (proxy page): every row unknown, never updated', async () => {
    const { send } = await start({ faults: { [ACTION_UPDATE_FAULT_KEY]: [{ kind: 'status', status: 200, body: '<html>Login</html>' }] } });
    const results = await sendAll(send, [row(1), row(2)]);
    expect(results.every((r) => r.result === 'unknown' && r.errorCode === 'UNEXPECTED_ANSWER')).toBe(true);
    expect(results[0]?.errorMessage).toContain('<html>Login</html>');
  });

  it('a refused static token: every row failed with credentialsRefused', async () => {
    sim = await createSimulator({ acceptAnyId: true, staticTokens: ['good'] });
    sender = senderFor(sim, { credentials: { kind: 'token', token: 'bad' } });
    transport = createActionsTransport(sender.ctx, { concurrency: 4, batchSize: 50, trackPrefix: 'it', lingerMs: 1 });
    const results = await sendAll(transport.send, [row(1), row(2)]);
    expect(results.every((r) => r.result === 'failed' && r.credentialsRefused === true && r.httpStatus === 401)).toBe(true);
  });
});

describe('Actions transport in the pool (send-updates.ts)', () => {
  function item(seq: number, id: string, quantity: string): SendItem {
    return { seq, line: seq + 2, cells: [], update: { id, fields: { Quantity: quantity }, trackId: `t-${seq + 2}` } };
  }

  async function* fromArray(items: SendItem[]): AsyncGenerator<SendItem> {
    for (const i of items) yield i;
  }

  it('rows sharing an Id are never in one call nor in two calls in flight, keep file order, and the last row wins', async () => {
    const { sim } = await start({ latencyMs: 5, objectFaults: { [usageId(2)]: [{ code: 'LOCK_COMPETITION' }] } }, {}, 10);
    const ids = [usageId(1), usageId(2), usageId(3)];
    const items: SendItem[] = [];
    for (let i = 0; i < 120; i++) items.push(item(items.length, i % 2 === 0 ? ids[i % 3]! : usageId(1000 + i), `${i}.5`));
    const finished: number[] = [];
    await sendUpdates(fromArray(items), { transport: transport!, onResult: (i, r) => {
      expect(r.result).toBe('updated');
      finished.push(i.seq);
    } });
    expect(finished).toHaveLength(120);
    for (const call of calls(sim)) expect(new Set(idsOf(call)).size).toBe(idsOf(call).length);
    expect(sim.stats.maxInFlightPerId).toBe(1);
    for (const id of ids) {
      // File order: the quantities of an Id's rows reach Zuora in the order of the file.
      const sent = calls(sim).flatMap((c) => (JSON.parse(c.body) as { objects: Array<{ Id: string; Quantity: number }> }).objects.filter((o) => o.Id === id).map((o) => o.Quantity));
      const fileOrder = items.filter((i) => i.update.id === id).map((i) => Number(i.update.fields.Quantity));
      expect(sent.filter((q, k) => sent.indexOf(q) === k)).toEqual(fileOrder);
      expect(String(sim.tenant.get(id)?.Quantity)).toBe(items.filter((i) => i.update.id === id).at(-1)!.update.fields.Quantity);
    }
  });

  it('the last partial call leaves as soon as the pool took the last row, not after the linger', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    sender = senderFor(sim);
    // A linger far beyond the test's time limit: only the end of the input can send the last 20 rows.
    transport = createActionsTransport(sender.ctx, { concurrency: 4, batchSize: 50, trackPrefix: 'it', lingerMs: 600_000 });
    const items = Array.from({ length: 120 }, (_, i) => item(i, usageId(i), `${i}.5`));
    let updated = 0;
    await sendUpdates(fromArray(items), { transport, onResult: (_i, r) => void (updated += r.result === 'updated' ? 1 : 0) });
    expect(updated).toBe(120);
    expect(calls(sim).map((c) => idsOf(c).length)).toEqual([50, 50, 20]);
  });
});

describe('Actions transport over a whole run', () => {
  it('10,000 rows take at most 1.05 requests per 50 rows, every row updated', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const { dir, input } = await workdir({ name: 'big.csv', text: '' });
    const rows = await writeCorrections(input, 10_000);
    const summary = await run(runOptions(input, sim, { transport: 'actions', concurrency: 8 }), { logger: quietLogger });
    expect(summary.counts.updated).toBe(10_000);
    const requests = calls(sim).length;
    expect(requests / 10_000).toBeLessThanOrEqual(1.05 / 50);
    expect(summary.requests).toBe(requests);
    expect(putRequests(sim)).toEqual([]);
    const [id, quantity] = rows.at(-1)!.split(',');
    expect(String(sim.tenant.get(id!)?.Quantity)).toBe(quantity);
    const results = await readCsv(`${dir}/big.results.csv`);
    expect(results.filter((r) => r.result === 'updated').map((r) => Number(r.line))).toEqual(rows.map((_, i) => i + 2));
  }, 60_000);

  it('a tenant rate limit: calls are paced by its RateLimit-* headers: no 429 once the pace is known, every row updated', async () => {
    sim = await createSimulator({ acceptAnyId: true, latencyMs: 5, rateLimit: { perSecond: 20 } });
    const { input } = await workdir({ name: 'r.csv', text: '' });
    await writeCorrections(input, 2000);
    const summary = await run(runOptions(input, sim, { transport: 'actions', concurrency: 8 }), { logger: quietLogger });
    expect(summary.counts.updated).toBe(2000);
    expect(calls(sim).length).toBeLessThanOrEqual(Math.ceil((2000 / 50) * 1.05) + sim.stats.rateLimited);
    // The 429s of the start (a burst before the first answer announced the limit) do not come back once the pace is known.
    expect(calls(sim).slice(-15).map((r) => r.status)).toEqual(Array(15).fill(200));
  }, 60_000);

  it('seeded chaos on 10% of the calls: every row ends updated, or unknown only for the no-answer kinds; none lost', async () => {
    sim = await createSimulator({ acceptAnyId: true, chaos: { rate: 0.1, seed: 20261128, slowMs: 2000 } });
    const { dir, input } = await workdir({ name: 'x.csv', text: '' });
    const rows = await writeCorrections(input, 3000);
    const summary = await run(runOptions(input, sim, { transport: 'actions', concurrency: 8, timeoutMs: 400 }), { logger: quietLogger, ...virtualTime() });
    const context = `chaos seed ${sim.chaosSeed}`;
    const results = await readCsv(`${dir}/x.results.csv`);
    expect(results.map((r) => Number(r.line)), context).toEqual(rows.map((_, i) => i + 2));
    for (const row of results) {
      if (row.result === 'unknown') expect(['ETIMEDOUT', 'ECONNRESET'], context).toContain(row.error_code);
      else expect(row.result, `${context}, line ${row.line}: ${row.error_code} ${row.error_message}`).toBe('updated');
    }
    expect(Object.values(sim.stats.chaosInjected).reduce((a, b) => a + b, 0), context).toBeGreaterThan(3);
    for (const row of results.filter((r) => r.result === 'updated')) {
      const [id, quantity] = rows[Number(row.line) - 2]!.split(',');
      expect(String(sim.tenant.get(id!)?.Quantity), context).toBe(quantity);
    }
    expect(summary.counts.updated + summary.counts.unknown).toBe(3000);
  }, 60_000);

  it('an input with an RbeStatus column is refused before anything is sent', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const { input } = await workdir({ name: 'rbe.csv', text: `Id,Quantity,RbeStatus\n${usageId(1)},5,Pending\n` });
    await expect(run(runOptions(input, sim, { transport: 'actions' }), { logger: quietLogger })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    expect(sim.requests).toEqual([]);
  });
});
