import { describe, expect, it } from 'vitest';
import { checkTrackPrefix, generateTrackPrefix, isLoopbackHost, MAX_TRACK_PREFIX_LENGTH } from '../../src/options.js';

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['[::1]', true],
    ['::1', true],
    ['10.0.0.1', false],
    ['rest.zuora.com', false],
    ['127.0.0.1.evil.com', false],
    ['localhost.evil.com', false],
    ['app.localhost', false],
  ])('%s -> %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('track ids', () => {
  it('generates a prefix that is a valid Zuora-Track-Id even with the longest line number', () => {
    const prefix = generateTrackPrefix(new Date('2026-11-27T18:00:00Z'), () => 0.5);
    expect(prefix).toMatch(/^zuu-20261127T180000-[0-9a-z]{4}$/);
    expect(checkTrackPrefix(prefix)).toBeUndefined();
    const trackId = `${prefix}-${Number.MAX_SAFE_INTEGER}`;
    expect(trackId.length).toBeLessThanOrEqual(64);
  });

  it.each([
    ['', 'must not be empty'],
    ['a:b', '":"'],
    ['a;b', '";"'],
    ['a"b', '"\\""'],
    ["a'b", `"'"`],
    ['a b', '" "'],
    ['é', '"é"'],
    ['x'.repeat(MAX_TRACK_PREFIX_LENGTH + 1), 'leave room'],
    ['=cmd', 'must start with a letter or digit'],
  ])('refuses the prefix %j', (prefix, fragment) => {
    expect(checkTrackPrefix(prefix)).toContain(fragment);
  });
});
