import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../../src/simulator/create-simulator.js';
import { usageId } from '../../helpers/generate.js';
import { pendingRecord, simulatorToken, useSimulator } from '../../helpers/with-simulator.js';
import { json, postAction } from './http-call.js';

interface QueryAnswer {
  records: Array<Record<string, string | number>>;
  size: number;
  done: boolean;
  queryLocator?: string;
}

const records = (): UsageRecord[] => [
  pendingRecord(usageId(1), { AccountNumber: 'A1', StartDateTime: '2026-01-31T23:00:00.000-08:00', UOM: 'GB', Region__c: 'EMEA' }),
  pendingRecord(usageId(2), { AccountNumber: 'A1', StartDateTime: '2026-02-01T00:00:00.000-08:00', UOM: 'Each', RbeStatus: 'Processed' }),
  pendingRecord(usageId(3), { AccountNumber: 'A2', StartDateTime: '2026-02-15T12:00:00.000-08:00', UOM: 'GB', Description: undefined }),
  pendingRecord(usageId(4), { AccountNumber: 'A3', StartDateTime: '2026-03-01T00:00:00.000-08:00', UOM: 'GB', Region__c: 'US-West' }),
  // Export-sized: 4,500 records of one account, to page past 2,000.
  ...Array.from({ length: 4500 }, (_, i) => pendingRecord(usageId(1000 + i), { AccountNumber: 'BIG', StartDateTime: `2026-04-${String((i % 28) + 1).padStart(2, '0')}T00:00:00.000-08:00` })),
];

const sim = useSimulator(() => ({ records: records() }));

async function query(queryString: string): Promise<QueryAnswer> {
  const res = await postAction(sim().url, await simulatorToken(sim()), '/v1/action/query', JSON.stringify({ queryString }));
  expect(res.status, res.text).toBe(200);
  return json<QueryAnswer>(res);
}

const ids = (answer: QueryAnswer): string[] => answer.records.map((r) => String(r.Id)).sort();

describe('POST /v1/action/query: the export filters', () => {
  const cases: Array<[string, string, number[]]> = [
    ['an account', `AccountNumber = 'A1'`, [1, 2]],
    ['a StartDateTime range in tenant time (from inclusive, to exclusive)', `StartDateTime >= '2026-02-01T00:00:00' and StartDateTime < '2026-03-01T00:00:00' and AccountNumber != 'BIG'`, [2, 3]],
    ['a bound with an offset, compared as an instant', `StartDateTime >= '2026-02-01T07:00:00Z' and AccountNumber != 'BIG'`, [1, 2, 3, 4]],
    ['RbeStatus', `RbeStatus = 'Processed'`, [2]],
    ['UOM and an account', `UOM = 'GB' and AccountNumber = 'A2'`, [3]],
    ['a custom field', `Region__c = 'US-West'`, [4]],
    ['a null custom field', `Region__c = null and AccountNumber != 'BIG'`, [2, 3]],
    ['and binding before or', `AccountNumber = 'A1' and UOM = 'GB' or AccountNumber = 'A3'`, [1, 4]],
    ['field names in any case', `accountnumber = 'A2'`, [3]],
  ];

  it.each(cases)('selects by %s', async (_name, where, expected) => {
    const answer = await query(`select Id, Quantity from Usage where ${where}`);
    expect(ids(answer)).toEqual(expected.map(usageId).sort());
    expect(answer.size).toBe(expected.length);
  });

  it('lists every record without a where clause, leaving null fields out', async () => {
    const answer = await query('select Id, Description, Region__c from Usage');
    expect(answer.size).toBe(4504);
    expect(answer.records).toHaveLength(2000);
    const third = answer.records.find((r) => r.Id === usageId(3));
    expect(third).toEqual({ Id: usageId(3) });
  });

  it('answers a scan in no particular order: neither by Id nor by StartDateTime', async () => {
    const answer = await query(`select Id, StartDateTime from Usage where AccountNumber = 'BIG'`);
    const got = answer.records.map((r) => String(r.Id));
    expect(got).not.toEqual([...got].sort());
    const starts = answer.records.map((r) => String(r.StartDateTime));
    expect(starts).not.toEqual([...starts].sort());
  });

  it('pages a filtered result of 4,500 by 2,000 with queryMore, each record once', async () => {
    const token = await simulatorToken(sim());
    const seen = new Set<string>();
    let answer = await query(`select Id from Usage where AccountNumber = 'BIG'`);
    const pages = [answer.records.length];
    for (const r of answer.records) seen.add(String(r.Id));
    while (!answer.done) {
      const res = await postAction(sim().url, token, '/v1/action/queryMore', JSON.stringify({ queryLocator: answer.queryLocator }));
      answer = json<QueryAnswer>(res);
      pages.push(answer.records.length);
      for (const r of answer.records) seen.add(String(r.Id));
    }
    expect(pages).toEqual([2000, 2000, 500]);
    expect(seen.size).toBe(4500);
  });
});
