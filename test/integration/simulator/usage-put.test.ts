import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../../src/simulator/create-simulator.js';
import { pendingRecord, simulatorToken, useSimulator, withSimulator } from '../../helpers/with-simulator.js';
import { call, getUsage, json, putUsage } from './http-call.js';
import { putRequests } from '../../helpers/received-requests.js';

const PENDING = '8ad08ae29085a77b0190908bfdd67abb';
const BILLED = '8ad08ae29085a77b0190908bfdd67ab2';
const DYNAMIC = '8ad08ae29085a77b0190908bfdd67ab3';
const UNKNOWN = '8ad0ffffffffffffffffffffffffffff';

function record(Id: string, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return pendingRecord(Id, { Quantity: 12.5, ...overrides });
}

const records = (): UsageRecord[] => [
  record(PENDING, { Region__c: 'EMEA' }),
  record(BILLED, { RbeStatus: 'Processed' }),
  record(DYNAMIC, { dynamicPricing: true }),
];

let clock = Date.UTC(2026, 2, 1, 18, 30, 0, 250);
const sim = useSimulator(() => ({ records: records(), now: () => clock }));

async function put(id: string, body: string, options: Parameters<typeof putUsage>[4] = {}) {
  return putUsage(sim().url, await simulatorToken(sim()), id, body, options);
}

describe('PUT /v1/object/usage/{id}: success', () => {
  it('applies the fields, answers {"Id","Success":true} and sets UpdatedDate from the clock in tenant time', async () => {
    clock = Date.UTC(2026, 2, 1, 18, 30, 0, 250);
    const res = await put(PENDING, '{"Quantity":42.75,"UOM":"Minutes","RbeStatus":"Pending","Region__c":"APAC"}');
    expect(res.status).toBe(200);
    expect(res.text).toBe(`{"Id":"${PENDING}","Success":true}`);
    expect(sim().tenant.get(PENDING)).toMatchObject({
      Quantity: '42.75',
      UOM: 'Minutes',
      Region__c: 'APAC',
      UpdatedDate: '2026-03-01T10:30:00.250-08:00',
    });
  });

  it('keeps the exact digits of a long quantity and returns them as a JSON number', async () => {
    expect((await put(PENDING, '{"Quantity": 1234567890123.123456789}')).status).toBe(200);
    expect(sim().tenant.get(PENDING)?.Quantity).toBe('1234567890123.123456789');
    const read = await getUsage(sim().url, await simulatorToken(sim()), PENDING);
    expect(read.text).toContain('"Quantity":1234567890123.123456789,');
  });

  it('accepts negative quantities and exponent notation', async () => {
    expect((await put(PENDING, '{"Quantity":-3.25}')).status).toBe(200);
    expect(sim().tenant.get(PENDING)?.Quantity).toBe('-3.25');
    expect((await put(PENDING, '{"Quantity":1.50e1}')).status).toBe(200);
    expect(sim().tenant.get(PENDING)?.Quantity).toBe('15.0');
  });

  it('reads a gzipped body when Content-Encoding is gzip and records both sizes', async () => {
    const body = JSON.stringify({ Quantity: 7, StartDateTime: '2026-02-01T00:00:00' });
    const res = await put(PENDING, body, { gzip: true });
    expect(res.status).toBe(200);
    const received = putRequests(sim())[0];
    expect(received).toMatchObject({ contentEncoding: 'gzip', body, usageId: PENDING, status: 200, outcome: 'answered' });
    expect(received?.rawBodyBytes).not.toBe(Buffer.byteLength(body));
  });

  it('refuses a body that is not gzip although it says so with 400', async () => {
    const res = await call(sim().url, {
      method: 'PUT',
      path: `/v1/object/usage/${PENDING}`,
      headers: { Authorization: `Bearer ${await simulatorToken(sim())}`, 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: '{"Quantity":1}',
    });
    expect(res.status).toBe(400);
    expect(json(res).message).toMatch(/gzip/);
  });

  it('refuses a body that is not JSON content with 415', async () => {
    const res = await call(sim().url, {
      method: 'PUT',
      path: `/v1/object/usage/${PENDING}`,
      headers: { Authorization: `Bearer ${await simulatorToken(sim())}`, 'Content-Type': 'text/plain' },
      body: '{"Quantity":1}',
    });
    expect(res.status).toBe(415);
  });
});

describe('PUT: unknown fields', () => {
  it('answers 400 "Error - unrecognised fields" with rejectUnknownFields=true and changes nothing', async () => {
    const res = await put(PENDING, '{"Quantity":5,"Qty":6}', { query: '?rejectUnknownFields=true' });
    expect(res.status).toBe(400);
    expect(json(res)).toEqual({ message: 'Error - unrecognised fields' });
    expect(sim().tenant.get(PENDING)?.Quantity).toBe('12.5');
  });

  it('silently ignores unknown fields without the flag', async () => {
    const res = await put(PENDING, '{"Quantity":5,"Qty":6,"Unknown__c":"x"}');
    expect(res.status).toBe(200);
    expect(sim().tenant.get(PENDING)).toMatchObject({ Quantity: '5' });
    expect(sim().tenant.get(PENDING)).not.toHaveProperty('Qty');
    expect(sim().tenant.get(PENDING)).not.toHaveProperty('Unknown__c');
  });

  it('treats custom fields case-sensitively: region__c is unknown, Region__c and CostCenter__c are known', async () => {
    const flag = { query: '?rejectUnknownFields=true' };
    expect((await put(PENDING, '{"region__c":"EMEA"}', flag)).status).toBe(400);
    expect((await put(PENDING, '{"Region__c":"US-West","CostCenter__c":"CC-1"}', flag)).status).toBe(200);
  });

  it('treats read-only fields such as AccountNumber as unknown', async () => {
    expect((await put(PENDING, '{"AccountNumber":"A1"}', { query: '?rejectUnknownFields=true' })).status).toBe(400);
  });
});

describe('PUT: field validation', () => {
  const invalid: Array<[string, string, RegExp]> = [
    ['a quoted quantity', '{"Quantity":"12.5"}', /Quantity must be a JSON number/],
    ['ten decimals', '{"Quantity":1.1234567891}', /more than 13 integer digits or more than 9 decimals/],
    ['fourteen integer digits', '{"Quantity":12345678901234}', /more than 13 integer digits/],
    ['a date that does not exist', '{"StartDateTime":"2026-02-30T00:00:00"}', /StartDateTime "2026-02-30T00:00:00" is not a valid date-time/],
    ['a bare date', '{"StartDateTime":"2026-02-01"}', /not a valid date-time/],
    ['Z instead of an offset', '{"EndDateTime":"2026-02-01T00:00:00Z"}', /EndDateTime/],
    ['more than 29 characters', '{"StartDateTime":"2026-02-01T00:00:00.0000+01:00"}', /at most 29 characters/],
    ['an RbeStatus in another case', '{"RbeStatus":"pending"}', /RbeStatus must be one of Importing, Pending, Processed/],
    ['a UOM the tenant does not define', '{"UOM":"Bananas"}', /UOM "Bananas" is not a unit of measure defined/],
    ['an empty UOM', '{"UOM":" "}', /UOM must be a non-empty string/],
    ['a null standard field', '{"Quantity":null}', /Quantity must be a JSON number/],
    ['an object in a custom field', '{"Region__c":{"a":1}}', /Custom field Region__c/],
  ];

  it.each(invalid)('refuses %s with 400 INVALID_VALUE and changes nothing', async (_name, body, message) => {
    const res = await put(PENDING, body);
    expect(res.status).toBe(400);
    const answer = json<{ Success: boolean; Errors: Array<{ Code: string; Message: string }> }>(res);
    expect(answer.Success).toBe(false);
    expect(answer.Errors[0]?.Code).toBe('INVALID_VALUE');
    expect(answer.Errors[0]?.Message).toMatch(message);
    expect(sim().tenant.get(PENDING)?.Quantity).toBe('12.5');
  });

  it('lists every invalid field in Errors', async () => {
    const res = await put(PENDING, '{"Quantity":"x","UOM":"Bananas","RbeStatus":"Billed"}');
    expect(json<{ Errors: unknown[] }>(res).Errors).toHaveLength(3);
  });

  it('refuses malformed JSON with 400 INVALID_VALUE', async () => {
    const res = await put(PENDING, '{"Quantity":1,}');
    expect(res.status).toBe(400);
    expect(json(res)).toMatchObject({ Success: false, Errors: [{ Code: 'INVALID_VALUE' }] });
  });

  it('clears a custom field set to null', async () => {
    expect((await put(PENDING, '{"Region__c":null}')).status).toBe(200);
    expect(sim().tenant.get(PENDING)).not.toHaveProperty('Region__c');
  });
});

describe('PUT: Idempotency-Key', () => {
  it('refuses a PUT that carries an Idempotency-Key with 400 (Zuora takes it on POST only) and changes nothing', async () => {
    const res = await put(PENDING, '{"Quantity":5}', { headers: { 'Idempotency-Key': 'k-1' } });
    expect(res.status).toBe(400);
    expect(json(res)).toMatchObject({ Success: false, Errors: [{ Code: 'INVALID_VALUE', Message: expect.stringMatching(/Idempotency-Key/) }] });
    expect(sim().tenant.get(PENDING)?.Quantity).toBe('12.5');
  });
});

describe('PUT: records that cannot change', () => {
  it('refuses an unknown id with 400 INVALID_ID', async () => {
    const res = await put(UNKNOWN, '{"Quantity":1}');
    expect(res.status).toBe(400);
    expect(json(res)).toEqual({
      Success: false,
      Errors: [{ Code: 'INVALID_ID', Message: `Invalid Id: no usage record with Id ${UNKNOWN} exists.` }],
    });
  });

  it('refuses a standard field on billed (Processed) usage, and accepts custom fields there', async () => {
    const refused = await put(BILLED, '{"Quantity":99}');
    expect(refused.status).toBe(400);
    expect(json(refused)).toEqual({
      Success: false,
      Errors: [
        {
          Code: 'INVALID_VALUE',
          Message: `Usage record ${BILLED} has already been billed (RbeStatus Processed); only custom fields can be updated.`,
        },
      ],
    });
    expect(sim().tenant.get(BILLED)?.Quantity).toBe('12.5');
    expect((await put(BILLED, '{"Region__c":"APAC"}')).status).toBe(200);
    expect(sim().tenant.get(BILLED)?.Region__c).toBe('APAC');
  });

  it('refuses every change, custom fields included, on dynamic-pricing usage', async () => {
    const res = await put(DYNAMIC, '{"Region__c":"APAC"}');
    expect(res.status).toBe(400);
    expect(json(res)).toMatchObject({ Errors: [{ Code: 'INVALID_VALUE', Message: expect.stringMatching(/dynamic-pricing/) }] });
    expect(sim().tenant.get(DYNAMIC)).not.toHaveProperty('Region__c');
  });
});

describe('PUT: tenant time zone', () => {
  it('reads a date-time without offset in tenant time and converts one with an offset (default -08:00)', async () => {
    await put(PENDING, '{"StartDateTime":"2026-02-01T09:30:00","EndDateTime":"2026-02-01T09:30:00.5+01:00"}');
    expect(sim().tenant.get(PENDING)).toMatchObject({
      StartDateTime: '2026-02-01T09:30:00.000-08:00',
      EndDateTime: '2026-02-01T00:30:00.500-08:00',
    });
  });

  it('converts 2015-01-01T16:00:00+04:00 to 13:00 for a +01:00 tenant, as Zuora documents', async () => {
    await withSimulator({ records: records(), tenantTimeZone: '+01:00' }, async (other) => {
      const res = await putUsage(other.url, await simulatorToken(other), PENDING, '{"StartDateTime":"2015-01-01T16:00:00+04:00"}');
      expect(res.status).toBe(200);
      expect(other.tenant.get(PENDING)?.StartDateTime).toBe('2015-01-01T13:00:00.000+01:00');
      // Seeded date-times are stored in the tenant offset too.
      expect(other.tenant.get(PENDING)?.CreatedDate).toBe('2026-01-16T11:00:00.000+01:00');
    });
  });

  it('crosses a date line when converting', async () => {
    await put(PENDING, '{"StartDateTime":"2026-03-01T02:00:00+09:00"}');
    expect(sim().tenant.get(PENDING)?.StartDateTime).toBe('2026-02-28T09:00:00.000-08:00');
  });
});

describe('PUT: business-failure status', () => {
  it('answers Success:false with HTTP 200 when faultStatusForSuccessFalse is 200', async () => {
    await withSimulator({ records: records(), faultStatusForSuccessFalse: 200 }, async (other) => {
      const res = await putUsage(other.url, await simulatorToken(other), BILLED, '{"Quantity":1}');
      expect(res.status).toBe(200);
      expect(json(res).Success).toBe(false);
    });
  });

  it('refuses negative quantities when the tenant feature is off', async () => {
    await withSimulator({ records: records(), allowNegativeQuantity: false }, async (other) => {
      const res = await putUsage(other.url, await simulatorToken(other), PENDING, '{"Quantity":-1}');
      expect(res.status).toBe(400);
      expect(json(res)).toMatchObject({ Errors: [{ Message: expect.stringMatching(/Negative Quantity Usage/) }] });
    });
  });
});
