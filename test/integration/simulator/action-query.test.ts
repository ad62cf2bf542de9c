import { describe, expect, it } from 'vitest';
import {
  ACTION_QUERY_FAULT_KEY,
  ACTION_QUERY_MORE_FAULT_KEY,
  type Simulator,
  type UsageRecord,
} from '../../../src/simulator/create-simulator.js';
import { usageId } from '../../helpers/generate.js';
import { pendingRecord, simulatorToken, useSimulator, withSimulator } from '../../helpers/with-simulator.js';
import { waitFor } from '../../helpers/wait-for.js';
import { type CallResult, json, postAction, usageQuery } from './http-call.js';

const UNKNOWN = '8ad0ffffffffffffffffffffffffffff';

const records = (): UsageRecord[] => [
  pendingRecord(usageId(3), { Quantity: '1234567890123.123456789', Region__c: 'EMEA', EndDateTime: '2026-01-15T10:00:00+01:00' }),
  pendingRecord(usageId(1), { Quantity: 5 }),
  pendingRecord(usageId(2), { Quantity: -2.5, RbeStatus: 'Processed' }),
  ...Array.from({ length: 250 }, (_, i) => pendingRecord(usageId(100 + i))),
];

let clock = Date.UTC(2026, 2, 1, 18, 30, 0);
const sim = useSimulator(() => ({ records: records(), now: () => clock }));

interface QueryAnswer {
  records: Array<Record<string, unknown>>;
  size: number;
  done: boolean;
  queryLocator?: string;
}

interface SoapFault {
  faultcode: string;
  faultstring: string;
  detail: Record<string, { FaultCode: string; FaultMessage: string }>;
}

async function query(queryString: string, conf?: unknown, options: Parameters<typeof postAction>[4] = {}, target: Simulator = sim()) {
  const body = JSON.stringify(conf === undefined ? { queryString } : { queryString, conf });
  return postAction(target.url, await simulatorToken(target), '/v1/action/query', body, options);
}

async function queryMore(queryLocator: string, conf?: unknown) {
  const body = JSON.stringify(conf === undefined ? { queryLocator } : { queryLocator, conf });
  return postAction(sim().url, await simulatorToken(sim()), '/v1/action/queryMore', body);
}

function fault(res: CallResult): SoapFault {
  expect(res.status).toBe(400);
  return json<SoapFault>(res);
}

describe('POST /v1/action/query: answers', () => {
  it('returns the selected fields of the ids asked, nulls left out, Quantity a number with its digits, date-times in tenant time', async () => {
    clock = Date.UTC(2026, 2, 1, 18, 30, 0);
    const res = await query(usageQuery(['Id', 'Quantity', 'EndDateTime', 'UOM', 'RbeStatus', 'AccountId', 'Region__c'], [usageId(3), usageId(1)]));
    expect(res.status).toBe(200);
    expect(res.text).toBe(
      '{"records":[' +
        `{"Id":"${usageId(1)}","Quantity":5,"UOM":"GB","RbeStatus":"Pending","AccountId":"8ad0823f8455bb4c01845f1a7c1c5fe4"},` +
        `{"Id":"${usageId(3)}","Quantity":1234567890123.123456789,"EndDateTime":"2026-01-15T01:00:00.000-08:00","UOM":"GB",` +
        '"RbeStatus":"Pending","AccountId":"8ad0823f8455bb4c01845f1a7c1c5fe4","Region__c":"EMEA"}' +
        '],"size":2,"done":true}',
    );
  });

  it('leaves out ids that match nothing and answers an empty result when none match', async () => {
    const some = json<QueryAnswer>(await query(usageQuery(['Id'], [UNKNOWN, usageId(2)])));
    expect(some).toEqual({ records: [{ Id: usageId(2) }], size: 1, done: true });
    const none = json<QueryAnswer>(await query(usageQuery(['Id'], [UNKNOWN])));
    expect(none).toEqual({ records: [], size: 0, done: true });
  });

  it('reads field names case-insensitively and answers them in Zuora spelling; keeps negative quantities', async () => {
    const res = json<QueryAnswer>(await query(`select id, QUANTITY, rbestatus, region__c from usage where ID = '${usageId(2)}'`));
    expect(res.records).toEqual([{ Id: usageId(2), Quantity: -2.5, RbeStatus: 'Processed' }]);
  });

  it('answers each record once, sorted by Id, not in the order of the where clause', async () => {
    const res = json<QueryAnswer>(await query(usageQuery(['Id'], [usageId(3), usageId(1), usageId(3), usageId(2)])));
    expect(res.records.map((r) => r.Id)).toEqual([usageId(1), usageId(2), usageId(3)]);
  });

  it('accepts 200 conditions and double-quoted ids', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => usageId(100 + i));
    const res = json<QueryAnswer>(await query(usageQuery(['Id'], ids)));
    expect(res.records).toHaveLength(200);
    expect(json<QueryAnswer>(await query(`select Id from Usage where Id = "${usageId(1)}"`)).records).toEqual([{ Id: usageId(1) }]);
  });

  it('returns only what the query selects: no Id unless asked', async () => {
    expect(json<QueryAnswer>(await query(usageQuery(['Quantity'], [usageId(1)]))).records).toEqual([{ Quantity: 5 }]);
  });

  it('creates a record for an unseen well-formed id with acceptAnyId, as GET does', async () => {
    await withSimulator({ records: [], acceptAnyId: true }, async (other) => {
      const res = json<QueryAnswer>(await query(usageQuery(['Id', 'RbeStatus'], [UNKNOWN, 'not-an-id']), undefined, {}, other));
      expect(res.records).toEqual([{ Id: UNKNOWN, RbeStatus: 'Pending' }]);
    });
  });
});

describe('POST /v1/action/query: what is not supported is a clear 400', () => {
  const refused: Array<[string, string, string, RegExp]> = [
    ['201 conditions', usageQuery(['Id'], Array.from({ length: 201 }, (_, i) => usageId(i))), 'MALFORMED_QUERY', /201 conditions; the maximum is 200/],
    ['upper-case keywords', `SELECT Id FROM Usage WHERE Id = '${usageId(1)}'`, 'MALFORMED_QUERY', /keywords must be lower case: write "select", not "SELECT"/],
    ['parentheses', `select Id from Usage where (Id = '${usageId(1)}')`, 'MALFORMED_QUERY', /parentheses are not supported/],
    ['IN', `select Id from Usage where Id in ('a', 'b')`, 'MALFORMED_QUERY', /operator "in" is not supported/],
    ['an unquoted text', `select Id from Usage where UOM = GB`, 'MALFORMED_QUERY', /expected a quoted value, a number or null after "UOM =" but found "GB"/],
    ['like', `select Id from Usage where UOM like 'G%'`, 'MALFORMED_QUERY', /operator "like" is not supported/],
    ['a condition on an unknown field', `select Id from Usage where Qty = 5`, 'MALFORMED_QUERY', /invalid field for query: Usage\.qty/],
    ['a date-time field compared with text', `select Id from Usage where StartDateTime >= 'soon'`, 'MALFORMED_QUERY', /soon is not a date-time value for StartDateTime/],
    ['a trailing clause', `select Id from Usage where Id = 'a' order by Id`, 'MALFORMED_QUERY', /expected "or" but found "order"/],
    ['an unterminated string', `select Id from Usage where Id = 'abc`, 'MALFORMED_QUERY', /unterminated string/],
    ['select *', `select * from Usage where Id = 'a'`, 'MALFORMED_QUERY', /expected a field name but found "\*"/],
    ['another object', `select Id from Account where Id = 'a'`, 'INVALID_TYPE', /Usage only, not Account/],
    ['an unknown field', `select Id, Qty from Usage where Id = 'a'`, 'INVALID_FIELD', /^invalid field for query: Usage\.qty$/],
    ['an unknown custom field', `select Id, Foo__c from Usage where Id = 'a'`, 'INVALID_FIELD', /Usage\.foo__c/],
  ];

  it.each(refused)('refuses %s with a SOAP fault naming it', async (_name, zoql, code, message) => {
    const body = fault(await query(zoql));
    expect(body.faultcode).toBe(`fns:${code}`);
    expect(body.faultstring).toMatch(message);
    expect(Object.values(body.detail)[0]).toEqual({ FaultCode: code, FaultMessage: body.faultstring });
  });

  const badBodies: Array<[string, string, RegExp]> = [
    ['malformed JSON', '{"queryString":', /Malformed JSON request body/],
    ['no queryString', '{}', /queryString is required/],
    ['batchSize 0', JSON.stringify({ queryString: usageQuery(['Id'], ['a']), conf: { batchSize: 0 } }), /batchSize must be a whole number from 1 to 2000, got 0/],
    ['batchSize 2001', JSON.stringify({ queryString: usageQuery(['Id'], ['a']), conf: { batchSize: 2001 } }), /got 2001/],
    ['a fractional batchSize', JSON.stringify({ queryString: usageQuery(['Id'], ['a']), conf: { batchSize: 1.5 } }), /got 1.5/],
  ];

  it.each(badBodies)('refuses a body with %s with INVALID_VALUE', async (_name, body, message) => {
    const res = await postAction(sim().url, await simulatorToken(sim()), '/v1/action/query', body);
    const answer = fault(res);
    expect(answer.faultcode).toBe('fns:INVALID_VALUE');
    expect(answer.faultstring).toMatch(message);
  });

  it('refuses a body not sent as JSON with 415, and GET with 405', async () => {
    const text = await postAction(sim().url, await simulatorToken(sim()), '/v1/action/query', '{}', { headers: { 'Content-Type': 'text/plain' } });
    expect(text.status).toBe(415);
    const res = await fetch(`${sim().url}/v1/action/query`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('POST /v1/action/queryMore: paging', () => {
  const ids = [usageId(1), usageId(2), usageId(3), usageId(100), usageId(101)];

  it('pages by conf.batchSize: done false with a queryLocator, which queryMore continues to the end', async () => {
    const first = json<QueryAnswer>(await query(usageQuery(['Id'], ids), { batchSize: 2 }));
    expect(first).toMatchObject({ records: [{ Id: usageId(1) }, { Id: usageId(2) }], size: 5, done: false });
    expect(first.queryLocator).toMatch(/^[0-9a-f]{32}-2$/);
    const second = json<QueryAnswer>(await queryMore(first.queryLocator ?? '', { batchSize: 2 }));
    expect(second).toMatchObject({ records: [{ Id: usageId(3) }, { Id: usageId(100) }], done: false });
    const last = json<QueryAnswer>(await queryMore(second.queryLocator ?? ''));
    expect(last).toEqual({ records: [{ Id: usageId(101) }], size: 5, done: true });
  });

  it('answers the same page again for the same locator (a client retrying a lost answer)', async () => {
    const first = json<QueryAnswer>(await query(usageQuery(['Id'], ids), { batchSize: 3 }));
    const again = json<QueryAnswer>(await queryMore(first.queryLocator ?? ''));
    const retried = json<QueryAnswer>(await queryMore(first.queryLocator ?? ''));
    expect(retried).toEqual(again);
    expect(again.records.map((r) => r.Id)).toEqual([usageId(100), usageId(101)]);
  });

  it('answers the records as they were when the query ran', async () => {
    const first = json<QueryAnswer>(await query(usageQuery(['Id', 'Quantity'], [usageId(1), usageId(100)]), { batchSize: 1 }));
    (sim().tenant.get(usageId(100)) as UsageRecord).Quantity = '99';
    expect(json<QueryAnswer>(await queryMore(first.queryLocator ?? '')).records).toEqual([{ Id: usageId(100), Quantity: 1 }]);
  });

  it('expires a locator 15 minutes after it was issued, on the simulator clock', async () => {
    clock = Date.UTC(2026, 2, 1, 18, 30, 0);
    const first = json<QueryAnswer>(await query(usageQuery(['Id'], ids), { batchSize: 1 }));
    clock += 15 * 60_000 - 1;
    const inTime = json<QueryAnswer>(await queryMore(first.queryLocator ?? '', { batchSize: 1 }));
    expect(inTime.done).toBe(false);
    clock += 1;
    const expired = fault(await queryMore(first.queryLocator ?? ''));
    expect(expired).toMatchObject({
      faultcode: 'fns:INVALID_QUERY_LOCATOR',
      detail: { InvalidQueryLocatorFault: { FaultCode: 'INVALID_QUERY_LOCATOR' } },
    });
    expect(expired.faultstring).toMatch(/unknown, or expired/);
    // The locator issued a millisecond before is still good.
    expect((await queryMore(inTime.queryLocator ?? '')).status).toBe(200);
  });

  it('refuses an unknown locator and a body without one', async () => {
    expect(fault(await queryMore('0123-2')).faultcode).toBe('fns:INVALID_QUERY_LOCATOR');
    const res = await postAction(sim().url, await simulatorToken(sim()), '/v1/action/queryMore', '{}');
    expect(fault(res).faultstring).toMatch(/queryLocator is required/);
  });
});

describe('Actions query: the same edge as every API call', () => {
  it('records each call with its ids, echoes the track id and answers a request id', async () => {
    const res = await query(usageQuery(['Id'], [usageId(2), usageId(1)]), undefined, { headers: { 'Zuora-Track-Id': 'run-q1' } });
    expect(res.headers['zuora-track-id']).toBe('run-q1');
    expect(res.headers['zuora-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const reads = sim().requests.filter((r) => r.path === '/v1/action/query');
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ method: 'POST', ids: [usageId(2), usageId(1)], trackId: 'run-q1', status: 200, outcome: 'answered' });
  });

  it('refuses a missing or unknown token with 401', async () => {
    const res = await postAction(sim().url, 'not-a-token', '/v1/action/query', JSON.stringify({ queryString: usageQuery(['Id'], [usageId(1)]) }));
    expect(res.status).toBe(401);
    expect(json(res)).toEqual({ message: 'Authentication error' });
  });

  it('reads a gzipped request and gzips an answer over 1000 bytes when accepted', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => usageId(100 + i));
    const res = await query(usageQuery(['Id', 'Quantity'], ids), undefined, { gzip: true, headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(json<QueryAnswer>(res).records).toHaveLength(50);
  });

  it('takes scripted whole-call faults on the query and queryMore paths', async () => {
    sim().script(ACTION_QUERY_FAULT_KEY, [{ kind: 'status', status: 503 }, { kind: 'zuora-error', code: 'TEMPORARY_ERROR' }]);
    sim().script(ACTION_QUERY_MORE_FAULT_KEY, [{ kind: 'status', status: 502 }]);
    const zoql = usageQuery(['Id'], [usageId(1), usageId(2)]);
    expect((await query(zoql, { batchSize: 1 })).status).toBe(503);
    expect(json(await query(zoql, { batchSize: 1 }))).toMatchObject({ Success: false, Errors: [{ Code: 'TEMPORARY_ERROR' }] });
    const first = json<QueryAnswer>(await query(zoql, { batchSize: 1 }));
    expect((await queryMore(first.queryLocator ?? '')).status).toBe(502);
    expect(json<QueryAnswer>(await queryMore(first.queryLocator ?? '')).records).toEqual([{ Id: usageId(2) }]);
  });

  it('counts query calls against the rate limit, with RateLimit-* headers, one call whatever its number of ids', async () => {
    await withSimulator({ records: records(), rateLimit: { perMinute: 2 }, now: () => clock }, async (other) => {
      const zoql = usageQuery(['Id'], Array.from({ length: 200 }, (_, i) => usageId(100 + i)));
      const first = await query(zoql, undefined, {}, other);
      expect(first.status).toBe(200);
      expect(first.headers['ratelimit-remaining']).toBe('1');
      expect((await query(zoql, undefined, {}, other)).status).toBe(200);
      const limited = await query(zoql, undefined, {}, other);
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBeDefined();
      expect(other.stats.rateLimited).toBe(1);
    });
  });

  it('holds a concurrency slot per query call: over the limit is a 429 with Concurrency-Limit-* headers', async () => {
    await withSimulator({ records: records(), concurrencyLimit: 1, faults: { [ACTION_QUERY_FAULT_KEY]: [{ kind: 'hang' }] } }, async (other) => {
      const zoql = usageQuery(['Id'], [usageId(1)]);
      const hanging = query(zoql, undefined, { timeoutMs: 5000 }, other).catch(() => undefined);
      await waitFor(() => other.requests.some((r) => r.path === '/v1/action/query' && r.outcome === 'hung'));
      const limited = await query(zoql, undefined, {}, other);
      expect(limited.status).toBe(429);
      expect(limited.headers['concurrency-limit-limit']).toBe('1');
      expect(other.stats.concurrencyLimited).toBe(1);
      await other.close();
      await hanging;
    });
  });

  it('draws chaos for query calls like any other', async () => {
    await withSimulator({ records: records(), chaos: { rate: 1, seed: 7, kinds: ['5xx'] } }, async (other) => {
      const res = await query(usageQuery(['Id'], [usageId(1)]), undefined, {}, other);
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(other.requests.find((r) => r.path === '/v1/action/query')?.chaos).toBe('5xx');
    });
  });
});
