import { describe, expect, it } from 'vitest';
import { adviseErrors, createErrorTally } from '../../../src/output/error-groups.js';
import type { RowOutcome } from '../../../src/row-outcome.js';

const row = (fields: Partial<RowOutcome>): RowOutcome => ({ seq: 0, line: 2, cells: [], id: 'x', attempts: 1, result: 'failed', ...fields });

describe('rows not done, grouped by error_code', () => {
  it('counts each row not done once, most rows first, and leaves done rows out', () => {
    const tally = createErrorTally();
    for (const outcome of [
      row({ result: 'updated' }),
      row({ result: 'invalid', errorCode: 'INVALID_ROW', errorMessage: 'Quantity "x" is not a number' }),
      row({ result: 'invalid', errorCode: 'INVALID_ROW' }),
      row({ errorCode: 'INVALID_VALUE', errorMessage: 'Usage record 8ad0 has already been billed (RbeStatus Processed)' }),
      row({ errorCode: 'INVALID_VALUE', errorMessage: 'This usage record has been billed and cannt be updated' }),
      row({ errorCode: 'INVALID_VALUE', errorMessage: 'Quantity must be positive' }),
      row({ result: 'unknown', errorCode: 'ETIMEDOUT' }),
      row({ result: 'unknown' }),
      row({ result: 'would-update' }),
    ]) {
      tally.add(outcome);
    }
    expect(tally.counts().map(({ code, rows }) => [code, rows])).toEqual([
      ['BILLED', 2],
      ['INVALID_ROW', 2],
      ['ETIMEDOUT', 1],
      ['INVALID_VALUE', 1],
      ['UNKNOWN', 1],
    ]);
  });

  it.each([
    ['billed usage', [row({ errorCode: 'INVALID_VALUE', errorMessage: 'has already been billed' })], 'put', 'not-in-file', /editing the file will not help/],
    ['a value Zuora acknowledged but does not hold', [row({ errorCode: 'VERIFY_MISMATCH' })], 'put', 'not-in-file', /the cells are not the problem/],
    ['Actions refusing Usage', [row({ errorCode: 'INVALID_TYPE' })], 'actions', 'use-put', /--transport put/],
    ['a refused value', [row({ errorCode: 'INVALID_VALUE', errorMessage: 'bad UOM' })], 'put', 'fix-cells', /fix the cell/],
    ['no answer', [row({ result: 'unknown', errorCode: 'ECONNRESET' })], 'put', 'send-again', /sending it again is safe/],
    ['rate limit until the row gave up', [row({ errorCode: '70', httpStatus: 429 }), row({ errorCode: '70', httpStatus: 429 })], 'put', 'send-again', /429/],
    ['a proxy page', [row({ result: 'unknown', errorCode: 'UNEXPECTED_ANSWER' })], 'put', 'fix-setup', /--base-url/],
  ] as const)('%s: %s', (_name, outcomes, transport, remedy, advice) => {
    const tally = createErrorTally();
    for (const outcome of outcomes) tally.add(outcome);
    const [group] = adviseErrors(tally.counts(), { transport });
    expect(group?.remedy).toBe(remedy);
    expect(group?.advice).toMatch(advice);
  });
});
