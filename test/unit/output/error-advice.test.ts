import { describe, expect, it } from 'vitest';
import { adviceFor, adviceSentence, type AdvisedRows, type ErrorRemedy } from '../../../src/output/error-advice.js';

const failed = (code: string, rows = 2): AdvisedRows => ({ code, rows, unknown: 0, busy: 0 });

describe('one table of advice per error_code, for the summary and the report', () => {
  it.each<[string, AdvisedRows, string | undefined, ErrorRemedy, RegExp]>([
    ['billed usage cannot be fixed in the file', failed('BILLED'), 'put', 'not-in-file', /editing the file will not help/],
    ['billed usage, even when the rows were unknown', { ...failed('BILLED'), unknown: 2 }, 'put', 'not-in-file', /already billed/],
    ['a value Zuora acknowledged but does not hold', failed('VERIFY_MISMATCH'), 'put', 'not-in-file', /the cells are not the problem/],
    ['Actions refusing Usage under --transport actions', failed('INVALID_TYPE'), 'actions', 'use-put', /--transport put/],
    ['INVALID_TYPE under --transport put is a refused row', failed('INVALID_TYPE'), 'put', 'fix-cells', /Zuora refused the row/],
    ['refused credentials are the setup', failed('AUTH_FAILED'), 'put', 'fix-setup', /credentials were refused/],
    ['a proxy page is the setup', { ...failed('UNEXPECTED_ANSWER'), unknown: 2 }, 'put', 'fix-setup', /--base-url/],
    ['an unwritable backup is the setup', failed('BACKUP_UNWRITABLE'), 'put', 'fix-setup', /--backup/],
    ['a timeout names --timeout', { ...failed('ETIMEDOUT'), unknown: 2 }, 'put', 'send-again', /raise --timeout/],
    ['the rate limit after every retry', failed('REQUEST_EXCEEDED_LIMIT'), 'put', 'send-again', /lower --concurrency/],
    ['lock competition is sent again', failed('LOCK_COMPETITION'), 'put', 'send-again', /send these rows again as they are/],
    ['an unknown code with every row unknown', { ...failed('ECONNRESET'), unknown: 2 }, 'put', 'send-again', /sending it again is safe/],
    ['an unknown code with every row answered 429 or 5xx', { ...failed('70'), busy: 2 }, 'put', 'send-again', /429/],
    ['a refused value', failed('INVALID_VALUE'), 'put', 'fix-cells', /fix the cell error_message names/],
    ['a fix-cells code gives way when every row is unknown', { ...failed('INVALID_VALUE'), unknown: 2 }, 'put', 'send-again', /may or may not/],
    ['no such Id', failed('NOT_FOUND'), 'put', 'fix-cells', /--env\/--entity-ids/],
    ['a row never sent', failed('INVALID_ROW'), 'put', 'fix-cells', /^never sent/],
    ['quantity 1000 times', failed('QUANTITY_TIMES_1000'), 'put', 'fix-cells', /--allow-times-1000/],
    ['an unknown code on invalid rows was never sent', { ...failed('SOMETHING_NEW'), invalid: 2 }, undefined, 'fix-cells', /^never sent/],
    ['an unknown code on failed rows', failed('SOMETHING_NEW'), undefined, 'fix-cells', /^Zuora refused the row/],
    ['some rows unknown, some refused: refused', { ...failed('SOMETHING_NEW'), unknown: 1 }, 'put', 'fix-cells', /^Zuora refused the row/],
  ])('%s', (_name, rows, transport, remedy, advice) => {
    const found = adviceFor(rows, transport === undefined ? {} : { transport });
    expect(found.remedy).toBe(remedy);
    expect(found.advice).toMatch(advice);
  });

  it('the summary line reads after the code; the report makes it a sentence', () => {
    const advice = adviceFor(failed('INVALID_ROW'), {});
    expect(advice.advice).toBe('never sent: fix the cell error_message names');
    expect(adviceSentence(advice)).toBe('Never sent: fix the cell error_message names.');
  });
});
