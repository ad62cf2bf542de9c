import { describe, expect, it } from 'vitest';
import type { ReadFailure } from '../../../src/read/query-usage.js';
import { createStopPolicy, tooManyFailures } from '../../../src/run/stop-policy.js';
import type { SendResult } from '../../../src/send/zuora-call.js';

const updated: SendResult = { result: 'updated', attempts: 1, httpStatus: 200 };
const failed: SendResult = { result: 'failed', attempts: 1, httpStatus: 400, errorCode: 'INVALID_VALUE' };
const unreachable: SendResult = { result: 'failed', attempts: 1, errorCode: 'ECONNREFUSED', unreachable: true };
const refused: SendResult = { result: 'failed', attempts: 1, httpStatus: 401, errorMessage: 'Authentication error', credentialsRefused: true };
const readFailure = (extra: Partial<ReadFailure>): ReadFailure => ({ ok: false, call: { trackId: 'p-q1' }, errorCode: 'HTTP_502', errorMessage: 'bad gateway', ...extra });

/** Feeds results in order; returns the index and decision of the first stop, if any. */
function firstStop(results: SendResult[], options: Parameters<typeof createStopPolicy>[0]) {
  const policy = createStopPolicy(options);
  for (const [i, result] of results.entries()) {
    const decision = policy.afterAnswer(result);
    if (decision) return { at: i, ...decision };
  }
  return undefined;
}

describe('tooManyFailures (--max-failures)', () => {
  it.each([
    [{ count: 5 }, 5, 10, false],
    [{ count: 5 }, 6, 10, true],
    [{ percent: 10 }, 5, 19, false], // not judged before the 20th answered row
    [{ percent: 10 }, 2, 20, false],
    [{ percent: 10 }, 3, 20, true],
  ])('%j with %i failed of %i answered -> %s', (limit, failed, answered, expected) => {
    expect(tooManyFailures(limit, failed, answered)).toBe(expected);
  });
});

describe('createStopPolicy', () => {
  it('goes on through failures when no --max-failures is set', () => {
    expect(firstStop(Array(100).fill(failed), { concurrency: 8 })).toBeUndefined();
  });

  it('stops at once on refused credentials, saying so before any row was updated', () => {
    expect(firstStop([failed, refused], { concurrency: 8 })).toMatchObject({ at: 1, kind: 'credentials', reason: expect.stringMatching(/^Zuora refused the credentials \(HTTP 401/) });
  });

  it('says "mid-run" when credentials are refused after rows were updated', () => {
    expect(firstStop([updated, refused], { concurrency: 8 })).toMatchObject({ at: 1, kind: 'credentials', reason: expect.stringContaining('mid-run') });
  });

  it.each([
    [1, 3],
    [3, 3],
    [8, 8],
  ])('with -c %i stops after %i unreachable rows in a row', (concurrency, limit) => {
    expect(firstStop(Array(20).fill(unreachable), { concurrency })).toMatchObject({ at: limit - 1, kind: 'unreachable' });
  });

  it('an answer between unreachable rows starts the count again', () => {
    expect(firstStop([unreachable, unreachable, updated, unreachable, unreachable], { concurrency: 3 })).toBeUndefined();
  });

  it('stops when --max-failures is exceeded, naming the counts', () => {
    expect(firstStop([updated, failed, failed, failed], { concurrency: 8, maxFailures: { count: 2 } })).toMatchObject({
      at: 3,
      kind: 'max-failures',
      reason: '--max-failures reached (3 failed of 4 answered)',
    });
  });
});

describe('stop policy: --verify mismatches and failed reads', () => {
  it('a mismatch is a failed row for --max-failures', () => {
    const policy = createStopPolicy({ concurrency: 8, maxFailures: { count: 1 } });
    for (let i = 0; i < 3; i++) expect(policy.afterAnswer(updated)).toBeUndefined();
    expect(policy.afterMismatch()).toBeUndefined();
    expect(policy.afterMismatch()).toEqual({ kind: 'max-failures', reason: '--max-failures reached (2 failed of 3 answered)' });
  });

  it('a mismatch never stops a run without --max-failures', () => {
    const policy = createStopPolicy({ concurrency: 8 });
    policy.afterAnswer(updated);
    expect(policy.afterMismatch()).toBeUndefined();
  });

  it.each([
    ['refused credentials stop at once', readFailure({ errorCode: 'AUTH_FAILED', credentialsRefused: true }), 'credentials'],
    ['an unreachable Zuora stops at once', readFailure({ errorCode: 'ECONNREFUSED', unreachable: true }), 'unreachable'],
    ['any other failed read goes on (its rows carry the error)', readFailure({}), undefined],
  ])('%s', (_name, failure, kind) => {
    expect(createStopPolicy({ concurrency: 8 }).afterReadFailure(failure)?.kind).toBe(kind);
  });
});
