import { describe, expect, it } from 'vitest';
import type { ReadFailure } from '../../../src/read/query-usage.js';
import { createStopPolicy } from '../../../src/run/stop-policy.js';
import type { SendResult } from '../../../src/send/zuora-call.js';

const updated: SendResult = { result: 'updated', attempts: 1, httpStatus: 200 };
const readFailure = (extra: Partial<ReadFailure>): ReadFailure => ({ ok: false, call: { trackId: 'p-q1' }, errorCode: 'HTTP_502', errorMessage: 'bad gateway', ...extra });

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
