import { describe, expect, it } from 'vitest';
import { createUsageReader, type ReadContext, type UsageReader } from '../../../src/read/query-usage.js';
import { fieldsToRead } from '../../../src/read/usage-query.js';
import { ACTION_QUERY_FAULT_KEY, ACTION_QUERY_MORE_FAULT_KEY, TOKEN_FAULT_KEY, type Simulator, type SimulatorOptions } from '../../../src/simulator/create-simulator.js';
import { senderFor, usageId, usageRecord, type SenderHarness } from '../../helpers/sender.js';
import { withSimulator } from '../../helpers/with-simulator.js';

const records = () => [
  usageRecord(usageId(1), { Quantity: '1234567890123.123456789', Region__c: 'EMEA' }),
  usageRecord(usageId(2), { RbeStatus: 'Processed', EndDateTime: '2026-01-16T00:00:00+01:00' }),
  ...Array.from({ length: 300 }, (_, i) => usageRecord(usageId(100 + i))),
];

/**
 * Runs `body` with the production reader on a fresh simulator holding `records()`, through the sender's
 * harness (instant sleeps, real HTTP); closes both after.
 */
async function withReader(
  extra: Partial<ReadContext>,
  body: (it: { sim: Simulator; reader: UsageReader; harness: SenderHarness }) => Promise<void>,
  simulator: SimulatorOptions = {},
): Promise<void> {
  await withSimulator({ records: records(), ...simulator }, async (sim) => {
    const harness = senderFor(sim);
    const reader = createUsageReader({ ...harness.ctx, trackPrefix: 'look', ...extra });
    try {
      await body({ sim, reader, harness });
    } finally {
      harness.close();
    }
  });
}

const queries = (sim: Simulator) => sim.requests.filter((r) => r.path.startsWith('/v1/action/query'));

describe('usage reader against the simulator', () => {
  it('reads the fields asked of 200 ids in one call, quantity digits exact, unknown ids absent, tracked <prefix>-q1', async () => {
    await withReader({}, async ({ sim, reader }) => {
      const ids = [usageId(1), usageId(2), 'ffff0000000000000000000000000000', ...Array.from({ length: 197 }, (_, i) => usageId(100 + i))];
      const batch = await reader.read(ids, fieldsToRead(['Quantity', 'EndDateTime', 'Region__c']));
      if (!batch.ok) throw new Error(batch.errorMessage);
      expect(batch.records.size).toBe(199);
      expect(batch.records.get(usageId(1))?.record).toMatchObject({ Id: usageId(1), Quantity: '1234567890123.123456789', Region__c: 'EMEA', RbeStatus: 'Pending' });
      expect(batch.records.get(usageId(2))?.record).toMatchObject({ RbeStatus: 'Processed', EndDateTime: '2026-01-15T15:00:00.000-08:00' });
      expect(batch.records.has('ffff0000000000000000000000000000')).toBe(false);
      expect(batch.last).toMatchObject({ trackId: 'look-q1', httpStatus: 200 });
      expect(queries(sim).map((r) => r.trackId)).toEqual(['look-q1']);
      expect(JSON.parse(queries(sim)[0]?.body ?? '{}').queryString).toMatch(/^select Id, RbeStatus, AccountId, Quantity, EndDateTime, Region__c from Usage where Id = '/);
      expect(reader).toMatchObject({ requests: 1, calls: 1 });
    });
  });

  it('follows queryMore, each page a call of its own (q1, q2, q3)', async () => {
    await withReader({ pageSize: 80 }, async ({ sim, reader }) => {
      const ids = Array.from({ length: 200 }, (_, i) => usageId(100 + i));
      const batch = await reader.read(ids, ['Id', 'Quantity']);
      expect(batch.ok && batch.records.size).toBe(200);
      expect(queries(sim).map((r) => `${r.path} ${r.trackId}`)).toEqual([
        '/v1/action/query look-q1',
        '/v1/action/queryMore look-q2',
        '/v1/action/queryMore look-q3',
      ]);
    });
  });

  it('recovers from a 429 and 5xx answers through the retry policy, a retry reusing its track id', async () => {
    await withReader({}, async ({ sim, reader, harness }) => {
      sim.script(ACTION_QUERY_FAULT_KEY, [
        { kind: 'rate-limited', retryAfterSeconds: 3 },
        { kind: 'status', status: 503, body: '<html>busy</html>' },
        { kind: 'drop' },
        { kind: 'zuora-error', code: 'TEMPORARY_ERROR' },
      ]);
      const batch = await reader.read([usageId(1)], ['Id', 'Quantity']);
      expect(batch.ok && batch.records.get(usageId(1))?.record.Quantity).toBe('1234567890123.123456789');
      expect(queries(sim).map((r) => `${r.trackId} ${r.status ?? r.outcome}`)).toEqual(['look-q1 429', 'look-q1 503', 'look-q1 dropped', 'look-q1 400', 'look-q1 200']);
      // The 429's Retry-After was honoured (a sleep of at least 3 s, on the injected clock).
      expect(harness.sleeps.some((ms) => ms >= 3000)).toBe(true);
      expect(reader.requests).toBe(5);
    });
  });

  it('a queryMore that fails is retried on its own number; a read that keeps failing says why', async () => {
    await withReader({ pageSize: 150 }, async ({ sim, reader }) => {
      sim.script(ACTION_QUERY_MORE_FAULT_KEY, [{ kind: 'status', status: 500 }]);
      const batch = await reader.read(Array.from({ length: 200 }, (_, i) => usageId(100 + i)), ['Id']);
      expect(batch.ok && batch.records.size).toBe(200);
      expect(queries(sim).map((r) => `${r.trackId} ${r.status}`)).toEqual(['look-q1 200', 'look-q2 500', 'look-q2 200']);

      sim.script(ACTION_QUERY_FAULT_KEY, Array.from({ length: 6 }, () => ({ kind: 'status' as const, status: 502 })));
      const failed = await reader.read([usageId(1)], ['Id']);
      expect(failed).toMatchObject({ ok: false, errorCode: 'HTTP_502', call: { trackId: 'look-q3', httpStatus: 502 } });
    });
  });

  it.each([
    ['an HTML page', '<html><body>Welcome to the proxy</body></html>'],
    ['an empty body', ''],
    ['JSON without records', '{"size":0,"done":true}'],
  ])('a 2xx answer that is not a query result (%s) is a failed read UNEXPECTED_ANSWER, never "no records"', async (_name, body) => {
    await withReader({}, async ({ sim, reader }) => {
      sim.script(ACTION_QUERY_FAULT_KEY, [{ kind: 'status', status: 200, body, headers: { 'content-type': 'text/html' } }]);
      const failed = await reader.read([usageId(1)], ['Id']);
      expect(failed).toMatchObject({ ok: false, errorCode: 'UNEXPECTED_ANSWER', call: { trackId: 'look-q1', httpStatus: 200 } });
      expect(failed.ok || failed.errorMessage).toMatch(/^the query answer has no records/);
    });
  });

  it('a token endpoint that cannot be reached makes the read fail as unreachable (ZUORA_UNREACHABLE), not as refused credentials', async () => {
    await withReader({}, async ({ sim, reader }) => {
      sim.script(TOKEN_FAULT_KEY, Array.from({ length: 50 }, () => ({ kind: 'status' as const, status: 503 })));
      const failed = await reader.read([usageId(1)], ['Id']);
      expect(failed).toMatchObject({ ok: false, errorCode: 'ZUORA_UNREACHABLE', unreachable: true });
      expect(failed.ok || failed.credentialsRefused).toBeFalsy();
    });
  });

  it('a refused field is a failure with the SOAP fault code, not retried', async () => {
    await withReader({}, async ({ sim, reader }) => {
      const failed = await reader.read([usageId(1)], ['Id', 'Nope__c']);
      expect(failed).toMatchObject({ ok: false, errorCode: 'INVALID_FIELD', call: { httpStatus: 400 } });
      expect(queries(sim)).toHaveLength(1);
    });
  });

  it('renews an expired token once and reads on', async () => {
    await withReader({}, async ({ sim, reader }) => {
      expect((await reader.read([usageId(1)], ['Id'])).ok).toBe(true);
      sim.expireAllTokens();
      expect((await reader.read([usageId(1)], ['Id'])).ok).toBe(true);
      expect(queries(sim).map((r) => `${r.trackId} ${r.status}`)).toEqual(['look-q1 200', 'look-q2 401', 'look-q2 200']);
    });
  });

  it.each([
    ['done false without a queryLocator', 'no-locator', ['look-q1 /v1/action/query', 'look-q2 /v1/action/query', 'look-q3 /v1/action/queryMore']],
    ['done true with fewer records than size', 'short', ['look-q1 /v1/action/query', 'look-q2 /v1/action/query', 'look-q3 /v1/action/queryMore']],
    ['an expired queryLocator', 'expired-locator', ['look-q1 /v1/action/query', 'look-q2 /v1/action/queryMore', 'look-q3 /v1/action/query', 'look-q4 /v1/action/queryMore']],
  ] as const)('a query answer that does not add up (%s) is read again as a fresh query, never taken as complete', async (_name, fault, calls) => {
    await withReader(
      { pageSize: 150 },
      async ({ sim, reader, harness }) => {
        const ids = Array.from({ length: 200 }, (_, i) => usageId(100 + i));
        const batch = await reader.read(ids, ['Id']);
        expect(batch.ok && batch.records.size).toBe(200);
        expect(queries(sim).map((r) => `${r.trackId} ${r.path}`)).toEqual(calls);
        // The fresh query waited the retry policy's backoff, on the injected clock.
        expect(harness.sleeps).toHaveLength(1);
      },
      { queryAnswerFaults: [fault] },
    );
  });

  it('a query answer that keeps not adding up fails the read QUERY_INCOMPLETE after the attempts, with no records', async () => {
    await withReader(
      {},
      async ({ sim, reader }) => {
        const failed = await reader.read([usageId(1), usageId(2)], ['Id']);
        expect(failed).toMatchObject({ ok: false, errorCode: 'QUERY_INCOMPLETE', call: { trackId: 'look-q6', httpStatus: 200 } });
        expect(failed.ok || failed.errorMessage).toMatch(/does not add up: the answer counts 2 records \(size\) but its pages held 1/);
        expect(queries(sim)).toHaveLength(6);
      },
      { queryAnswerFaults: Array.from({ length: 6 }, () => 'short' as const) },
    );
  });
});
