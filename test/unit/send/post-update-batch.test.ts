import { describe, expect, it } from 'vitest';
import { checkActionsColumns } from '../../../src/send/actions-transport.js';
import { readUpdateAnswer } from '../../../src/send/post-update-batch.js';

const A = '8ad00000000000000000000000000001';
const B = '8ad00000000000000000000000000002';

describe('readUpdateAnswer: Zuora answers one result per object, in request order', () => {
  it('matches results to objects by position, a failed entry without Id included', () => {
    const body = JSON.stringify([{ Id: A, Success: true }, { Success: false, Errors: [{ Code: 'LOCK_COMPETITION', Message: 'retry later' }] }]);
    expect(readUpdateAnswer(200, body, [A, B])).toEqual({
      ok: [{ success: true }, { success: false, error: { code: 'LOCK_COMPETITION', message: 'retry later' } }],
    });
  });

  it('accepts an Id in another case', () => {
    expect(readUpdateAnswer(200, JSON.stringify([{ Id: A.toUpperCase(), Success: true }]), [A])).toEqual({ ok: [{ success: true }] });
  });

  it('a per-object failure without Errors still says what happened', () => {
    const answer = readUpdateAnswer(200, '[{"Success":false}]', [A]);
    expect(answer).toMatchObject({ ok: [{ success: false, error: { message: expect.stringContaining('Success') } }] });
  });

  it.each([
    ['fewer results than objects', 200, JSON.stringify([{ Id: A, Success: true }]), /1 results for 2 objects/],
    ['more results than objects', 200, JSON.stringify([{ Success: true }, { Success: true }, { Success: true }]), /3 results for 2 objects/],
    ['an empty body', 200, '', /not a JSON array.*\(empty\)/],
    ['an HTML proxy page', 200, '<html><body>Welcome</body></html>', /not a JSON array.*<html>/],
    ['a single success object (the PUT shape)', 200, JSON.stringify({ Id: A, Success: true }), /not a JSON array/],
    ['a result without Success', 200, JSON.stringify([{ Id: A }, { Id: B, Success: true }]), /result 1 has no "Success"/],
    ['results in another order', 200, JSON.stringify([{ Id: B, Success: true }, { Id: A, Success: true }]), /result 1 names Id 8ad0\S+2, not the Id sent/],
  ])('%s cannot be matched to the rows: unexpected', (_name, status, body, message) => {
    const answer = readUpdateAnswer(status, body, [A, B]);
    expect(answer).toHaveProperty('unexpected');
    const text = (answer as { unexpected: string }).unexpected;
    expect(text).toMatch(message);
    expect(text).toContain('could not be matched to the 2 rows sent');
  });

  it.each([
    ['503 with an empty body', 503, '', { message: 'HTTP 503 with an empty body' }],
    ['429 concurrency body', 429, '{"code":"REQUEST_EXCEEDED_LIMIT","message":"too many"}', { code: 'REQUEST_EXCEEDED_LIMIT', message: 'too many' }],
    ['401', 401, '{"message":"Authentication error"}', { message: 'Authentication error' }],
    ['a whole-call Success:false with HTTP 200', 200, '{"Success":false,"Errors":[{"Code":"INVALID_TYPE","Message":"no such type"}]}', { code: 'INVALID_TYPE', message: 'no such type' }],
  ])('%s is an error of the whole call', (_name, status, body, error) => {
    expect(readUpdateAnswer(status, body, [A, B])).toEqual({ error });
  });
});

describe('checkActionsColumns', () => {
  it('refuses RbeStatus, naming the column as written and saying to use --transport put', () => {
    expect(() => checkActionsColumns([{ field: 'Quantity', header: 'Quantity' }, { field: 'RbeStatus', header: 'RBE Status' }])).toThrow(
      /--transport actions cannot update RBE Status \(RbeStatus\).*--transport put/,
    );
  });

  it('accepts every other updatable field', () => {
    expect(() =>
      checkActionsColumns(['Quantity', 'StartDateTime', 'EndDateTime', 'UOM', 'Region__c'].map((field) => ({ field, header: field }))),
    ).not.toThrow();
  });
});
