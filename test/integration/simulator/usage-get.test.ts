import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../../src/simulator/create-simulator.js';
import { simulatorToken, useSimulator, withSimulator } from '../../helpers/with-simulator.js';
import { call, getUsage, json } from './http-call.js';

const ID = '8ad08ae29085a77b0190908bfdd67abb';

function record(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    Id: ID,
    AccountId: '8ad0823f8455bb4c01845f1a7c1c5fe4',
    AccountNumber: 'A00001234',
    SubscriptionNumber: 'A-S00001234',
    ChargeNumber: 'C-00001234',
    StartDateTime: '2026-01-15T00:00:00',
    EndDateTime: '2026-01-15T23:59:59.000-08:00',
    UOM: 'GB',
    Quantity: 12.5,
    SourceType: 'Import',
    RbeStatus: 'Pending',
    CreatedById: '2c92c0f96abc17de016abd62bd0c5854',
    CreatedDate: '2026-01-16T02:00:00.000-08:00',
    UpdatedById: '2c92c0f96abc17de016abd62bd0c5854',
    UpdatedDate: '2026-01-16T02:00:00.000-08:00',
    Region__c: 'EMEA',
    ...overrides,
  };
}

describe('GET /v1/object/usage/{id}', () => {
  const sim = useSimulator({ records: [record({ dynamicPricing: true })] });

  it('returns the record with Zuora field names, Quantity as a number, no simulator-only fields', async () => {
    const res = await getUsage(sim().url, await simulatorToken(sim()), ID);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json(res)).toEqual({
      Id: ID,
      AccountId: '8ad0823f8455bb4c01845f1a7c1c5fe4',
      AccountNumber: 'A00001234',
      SubscriptionNumber: 'A-S00001234',
      ChargeNumber: 'C-00001234',
      StartDateTime: '2026-01-15T00:00:00.000-08:00', // seeded without offset: tenant time
      EndDateTime: '2026-01-15T23:59:59.000-08:00',
      UOM: 'GB',
      Quantity: 12.5,
      SourceType: 'Import',
      RbeStatus: 'Pending',
      CreatedById: '2c92c0f96abc17de016abd62bd0c5854',
      CreatedDate: '2026-01-16T02:00:00.000-08:00',
      UpdatedById: '2c92c0f96abc17de016abd62bd0c5854',
      UpdatedDate: '2026-01-16T02:00:00.000-08:00',
      Region__c: 'EMEA',
    });
    expect(res.text).toContain('"Quantity":12.5,');
  });

  it('answers an unknown id with 404 and the no-data body', async () => {
    const res = await getUsage(sim().url, await simulatorToken(sim()), '8ad00000000000000000000000000000');
    expect(res.status).toBe(404);
    expect(json(res)).toEqual({ size: 0, records: [], done: true });
  });

  it('carries a 36-character Zuora-Request-Id on every answer, different each time', async () => {
    const token = await simulatorToken(sim());
    const first = await getUsage(sim().url, token, ID);
    const second = await getUsage(sim().url, token, 'unknown');
    const unauthorized = await getUsage(sim().url, 'bad', ID);
    const ids = [first, second, unauthorized].map((r) => r.headers['zuora-request-id']);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(3);
    expect(sim().requests.at(-1)?.requestId).toBe(ids[2]);
  });

  it('echoes Zuora-Track-Id when sent and omits it otherwise', async () => {
    const token = await simulatorToken(sim());
    const tracked = await getUsage(sim().url, token, ID, { 'Zuora-Track-Id': 'run42-17' });
    expect(tracked.headers['zuora-track-id']).toBe('run42-17');
    const untracked = await getUsage(sim().url, token, ID);
    expect(untracked.headers['zuora-track-id']).toBeUndefined();
  });
});

describe('response compression', () => {
  const long = 'Reconstructed from gateway logs after the meter outage. '.repeat(20);
  const sim = useSimulator({ records: [record({ Description: long }), record({ Id: ID.replace('a', 'b') })] });

  it('gzips an answer over 1000 bytes when the request accepts gzip', async () => {
    const res = await getUsage(sim().url, await simulatorToken(sim()), ID, { 'Accept-Encoding': 'gzip' });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.rawBody.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(Buffer.byteLength(res.text)).toBeGreaterThan(1000);
    expect(json(res).Description).toBe(long);
    expect(Number(res.headers['content-length'])).toBe(res.rawBody.length);
  });

  it('sends the same answer plain without Accept-Encoding, or when gzip has q=0', async () => {
    const token = await simulatorToken(sim());
    for (const headers of [{}, { 'Accept-Encoding': 'gzip;q=0, identity' }] as Array<Record<string, string>>) {
      const res = await getUsage(sim().url, token, ID, headers);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(json(res).Description).toBe(long);
    }
  });

  it('sends answers of 1000 bytes or less plain even when gzip is accepted', async () => {
    const res = await getUsage(sim().url, await simulatorToken(sim()), ID.replace('a', 'b'), { 'Accept-Encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.rawBody.length).toBeLessThanOrEqual(1000);
    expect(res.headers['content-encoding']).toBeUndefined();
  });
});

describe('acceptAnyId', () => {
  it('creates a well-formed unknown id as a Pending record on first touch, and still refuses malformed ids', async () => {
    await withSimulator({ records: [], acceptAnyId: true }, async (sim) => {
      const token = await simulatorToken(sim);
      const id = 'ffffeeeeddddccccbbbbaaaa99998888';
      const res = await getUsage(sim.url, token, id);
      expect(res.status).toBe(200);
      expect(json(res)).toMatchObject({ Id: id, RbeStatus: 'Pending', UOM: 'Each', Quantity: 1 });
      expect(sim.tenant.has(id)).toBe(true);
      expect((await getUsage(sim.url, token, 'tooshort')).status).toBe(404);
    });
  });
});

describe('routing', () => {
  const sim = useSimulator({ records: [] });

  it('answers unknown paths with 404 and other methods on usage with 405', async () => {
    const token = await simulatorToken(sim());
    const unknown = await call(sim().url, { path: '/v1/accounts/A00001234', headers: { Authorization: `Bearer ${token}` } });
    expect(unknown.status).toBe(404);
    expect(json(unknown).message).toMatch(/no Route/);
    const del = await call(sim().url, { method: 'DELETE', path: `/v1/object/usage/${ID}` });
    expect(del.status).toBe(405);
    expect(del.headers.allow).toBe('GET, PUT');
  });
});
