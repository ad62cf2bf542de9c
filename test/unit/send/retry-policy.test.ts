import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_POLICY,
  isRetryable,
  parseRetryAfter,
  retryDelay,
  RETRYABLE_STATUSES,
  TRY_LATER_CODES,
  type AttemptFailure,
} from '../../../src/send/retry-policy.js';

const policy = DEFAULT_RETRY_POLICY;
const maxRandom = () => 0.999999;
const now = Date.parse('2026-11-27T12:00:00Z');

describe('isRetryable', () => {
  const cases: Array<[string, AttemptFailure, boolean]> = [
    ['connection reset', { kind: 'network', code: 'ECONNRESET' }, true],
    ['our timeout', { kind: 'network', code: 'ETIMEDOUT' }, true],
    ['a TLS certificate error', { kind: 'network', code: 'CERT_HAS_EXPIRED' }, false],
    ...[...RETRYABLE_STATUSES].map((status): [string, AttemptFailure, boolean] => [`HTTP ${status}`, { kind: 'http', status }, true]),
    ['HTTP 400 INVALID_VALUE', { kind: 'http', status: 400, zuoraCode: 'INVALID_VALUE' }, false],
    ['HTTP 404', { kind: 'http', status: 404 }, false],
    ['HTTP 403', { kind: 'http', status: 403 }, false],
    ['HTTP 401 Authentication error', { kind: 'http', status: 401, zuoraMessage: 'Authentication error' }, false],
    ['HTTP 401 Failed to get user info', { kind: 'http', status: 401, zuoraMessage: 'Failed to get user info' }, true],
    ['200 Success:false TRANSACTION_TERMINATED', { kind: 'http', status: 200, zuoraCode: 'TRANSACTION_TERMINATED' }, false],
    ...[...TRY_LATER_CODES].map((code): [string, AttemptFailure, boolean] => [`200 Success:false ${code}`, { kind: 'http', status: 200, zuoraCode: code }, true]),
    ['400 LOCK_COMPETITION', { kind: 'http', status: 400, zuoraCode: 'LOCK_COMPETITION' }, true],
  ];
  it.each(cases)('%s -> retryable=%s', (_name, failure, expected) => {
    expect(isRetryable(failure)).toBe(expected);
  });
});

describe('retryDelay', () => {
  const http503: AttemptFailure = { kind: 'http', status: 503 };

  it('doubles the ceiling each attempt from 1 s (full jitter at its top)', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelay(attempt, http503, { ...policy, maxAttempts: 10 }, maxRandom, now))).toEqual([
      999, 1999, 3999, 7999, 15999,
    ]);
  });

  it('never exceeds the 60 s cap', () => {
    expect(retryDelay(12, http503, { ...policy, maxAttempts: 20 }, maxRandom, now)).toBe(59_999);
  });

  it('picks uniformly between 0 and the ceiling (full jitter)', () => {
    expect(retryDelay(3, http503, policy, () => 0, now)).toBe(0);
    expect(retryDelay(3, http503, policy, () => 0.5, now)).toBe(2000);
  });

  it('stops once maxAttempts attempts were made', () => {
    expect(retryDelay(6, http503, policy, maxRandom, now)).toBe('stop');
    expect(retryDelay(5, http503, policy, maxRandom, now)).not.toBe('stop');
    expect(retryDelay(1, http503, { ...policy, maxAttempts: 1 }, maxRandom, now)).toBe('stop');
  });

  it('stops at once for a permanent failure', () => {
    expect(retryDelay(1, { kind: 'http', status: 400, zuoraCode: 'INVALID_VALUE' }, policy, maxRandom, now)).toBe('stop');
  });

  it('waits at least Retry-After seconds', () => {
    expect(retryDelay(1, { kind: 'http', status: 429, retryAfter: '120' }, policy, () => 0, now)).toBe(120_000);
  });

  it('waits until a Retry-After HTTP date', () => {
    const retryAfter = new Date(now + 30_000).toUTCString();
    expect(retryDelay(1, { kind: 'http', status: 503, retryAfter }, policy, () => 0, now)).toBe(30_000);
  });

  it('keeps the larger backoff when Retry-After is shorter', () => {
    expect(retryDelay(4, { kind: 'http', status: 429, retryAfter: '1' }, policy, maxRandom, now)).toBe(7999);
  });

  it('caps an absurd Retry-After at maxRetryAfterMs', () => {
    expect(retryDelay(1, { kind: 'http', status: 429, retryAfter: '86400' }, policy, () => 0, now)).toBe(600_000);
  });

  it('ignores an unreadable Retry-After', () => {
    expect(retryDelay(1, { kind: 'http', status: 429, retryAfter: 'soon' }, policy, () => 0.5, now)).toBe(500);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    [' 5 ', 5000],
    ['0', 0],
    ['1.5', 1500],
    [new Date(now + 2000).toUTCString(), 2000],
    [new Date(now - 60_000).toUTCString(), 0],
    ['-3', undefined],
    ['', undefined],
    ['later', undefined],
  ])('%j -> %s ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
