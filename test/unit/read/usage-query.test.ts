import { describe, expect, it } from 'vitest';
import { usageId } from '../../helpers/generate.js';
import { batchIds, buildUsageQuery, fieldsToRead, numbersAsText, QUERY_ID_LIMIT, readQueryPage } from '../../../src/read/usage-query.js';

describe('fieldsToRead', () => {
  it('reads Id, RbeStatus and AccountId, then the input fields in input order, each once', () => {
    expect(fieldsToRead(['UOM', 'Quantity', 'Region__c', 'RbeStatus'])).toEqual(['Id', 'RbeStatus', 'AccountId', 'UOM', 'Quantity', 'Region__c']);
  });
});

describe('buildUsageQuery', () => {
  it('selects the fields from Usage with one Id condition per id joined by or, keywords lower case', () => {
    expect(buildUsageQuery(['Id', 'Quantity'], [usageId(1), usageId(2)])).toBe(`select Id, Quantity from Usage where Id = '${usageId(1)}' or Id = '${usageId(2)}'`);
  });

  it('takes 200 ids and refuses 201 or none', () => {
    const ids = Array.from({ length: QUERY_ID_LIMIT + 1 }, (_, i) => usageId(i));
    expect(buildUsageQuery(['Id'], ids.slice(0, 200)).match(/Id = /g)).toHaveLength(200);
    expect(() => buildUsageQuery(['Id'], ids)).toThrow(RangeError);
    expect(() => buildUsageQuery(['Id'], [])).toThrow(RangeError);
  });

  it('refuses anything that could break out of the quotes or the field list', () => {
    expect(() => buildUsageQuery(['Id'], [`${usageId(1).slice(0, 31)}'`])).toThrow(/not a Zuora id/);
    expect(() => buildUsageQuery(['Id, Quantity from Account --'], [usageId(1)])).toThrow(/not a field name/);
  });
});

describe('batchIds', () => {
  it('groups ids 200 at a time, each id once, in first-seen order', () => {
    const ids = [...Array.from({ length: 450 }, (_, i) => usageId(i)), usageId(3), usageId(449)];
    const batches = batchIds(ids);
    expect(batches.map((b) => b.length)).toEqual([200, 200, 50]);
    expect(batches.flat()).toEqual(ids.slice(0, 450));
  });
});

describe('readQueryPage', () => {
  it('keeps quantity digits exactly, numbers of custom fields as their JSON text, nulls as absent', () => {
    const page = readQueryPage(
      '{"records":[{"Id":"a","Quantity":1234567890123.123456789,"Count__c":5.10,"Flag__c":true,"Note__c":null,"Text__c":"x -1 \\" 2"}],"size":1,"done":true}',
    );
    expect(page).toEqual({ records: [{ Id: 'a', Quantity: '1234567890123.123456789', Count__c: '5.10', Flag__c: 'true', Text__c: 'x -1 " 2' }], done: true, size: 1, received: 1 });
  });

  it('returns the locator when done is false, and nothing for an error body', () => {
    expect(readQueryPage('{"records":[],"size":3000,"done":false,"queryLocator":"abc-2000"}')).toEqual({ records: [], done: false, size: 3000, received: 0, queryLocator: 'abc-2000' });
    // What it takes to tell an answer that does not add up: done false without a locator, size, and the records given.
    expect(readQueryPage('{"records":[{"Id":"a"},{"no":"id"}],"size":5,"done":false}')).toEqual({ records: [{ Id: 'a' }], done: false, size: 5, received: 2 });
    expect(readQueryPage('{"faultcode":"fns:INVALID_FIELD","faultstring":"invalid field"}')).toBeUndefined();
    expect(readQueryPage('<html>proxy</html>')).toBeUndefined();
  });
});

describe('numbersAsText', () => {
  it('quotes numbers outside strings only, escapes included', () => {
    expect(numbersAsText('{"a":-1.5e3,"b":"2 \\"3\\" 4","c":[0,7]}')).toBe('{"a":"-1.5e3","b":"2 \\"3\\" 4","c":["0","7"]}');
  });
});
