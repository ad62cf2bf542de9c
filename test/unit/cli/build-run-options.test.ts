import { describe, expect, it } from 'vitest';
import { buildRunOptions, buildTarget, MAIN_ARG_DEFAULTS, outputFiles, parseMaxFailures, readCredentials, type MainArgs } from '../../../src/cli/build-run-options.js';
import { RunError } from '../../../src/errors.js';
import { DEFAULTS } from '../../../src/options.js';

const args = (overrides: Partial<MainArgs> = {}): MainArgs => ({ input: 'in.csv', env: 'local', ...MAIN_ARG_DEFAULTS, ...overrides });

/** The message of the RunError `fn` throws, with its code. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RunError);
    return `${(error as RunError).code}: ${(error as RunError).message}`;
  }
  throw new Error('expected a RunError');
}

describe('buildRunOptions', () => {
  it('fills the defaults from DEFAULTS and puts the outputs beside the input', () => {
    const options = buildRunOptions(args({ trackPrefix: 't' }), {});
    expect(options).toMatchObject({
      out: 'in.results.csv',
      failures: 'in.failures.csv',
      target: { kind: 'local' },
      credentials: undefined,
      concurrency: DEFAULTS.concurrency,
      maxAttempts: DEFAULTS.maxAttempts,
      timeoutMs: DEFAULTS.timeoutMs,
    });
  });

  it.each([
    [{ concurrency: 0 }, '--concurrency must be a whole number from 1 to 256; got "0"'],
    [{ maxAttempts: 2.5 }, '--max-attempts must be a whole number from 1 to 50; got "2.5"'],
    [{ timeout: 50 }, '--timeout must be a whole number from 100 to 600000; got "50"'],
    [{ trackPrefix: 'a b' }, '--track-prefix "a b" contains " "'],
    [{ transport: 'actions', batchSize: 51 }, '--batch-size must be a whole number from 1 to 50; got "51"'],
    [{ batchSize: 10 }, '--batch-size applies to --transport actions only'],
    [{ settle: 0 }, '--settle must be a number of seconds above 0 and at most 3600'],
    [{ settle: 7200 }, '--settle must be a number of seconds above 0 and at most 3600'],
    [{ settle: 130, dryRun: true }, '--settle applies to a run that sends: --dry-run sends nothing'],
    [{ settle: 130, preview: true }, '--settle applies to a run that sends: --preview sends nothing'],
  ])('refuses %j', (overrides, message) => {
    expect(refusal(() => buildRunOptions(args(overrides), {}))).toContain(`BAD_OPTION: ${message}`);
  });

  it('--transport put by default, without a batch size; --transport actions carries 50 rows a call unless --batch-size says fewer', () => {
    const put = buildRunOptions(args(), {});
    expect([put.transport, put.batchSize]).toEqual(['put', undefined]);
    expect(buildRunOptions(args({ transport: 'actions' }), {})).toMatchObject({ transport: 'actions', batchSize: 50 });
    expect(buildRunOptions(args({ transport: 'actions', batchSize: 7 }), {})).toMatchObject({ transport: 'actions', batchSize: 7 });
  });

  it('--settle: off by default (an Id in doubt ends unknown), else its seconds', () => {
    expect(buildRunOptions(args(), {}).settleSeconds).toBeUndefined();
    expect(buildRunOptions(args({ settle: 130 }), {}).settleSeconds).toBe(130);
    expect(buildRunOptions(args({ settle: 2.5 }), {}).settleSeconds).toBe(2.5);
  });

  it('needs credentials only for a run that sends to a real tenant', () => {
    expect(buildRunOptions(args({ env: 'us-sandbox', dryRun: true }), {}).credentials).toBeUndefined();
    expect(refusal(() => buildRunOptions(args({ env: 'us-sandbox' }), {}))).toMatch(/^AUTH_FAILED: No Zuora credentials/);
  });
});

describe('outputFiles', () => {
  it.each([
    [{ input: 'a.CSV', dryRun: false }, { out: 'a.results.csv', failures: 'a.failures.csv' }],
    [{ input: 'a.csv', dryRun: true }, { out: 'a.dry-run.csv', failures: 'a.dry-run.failures.csv' }],
    [{ input: 'a.csv', dryRun: false, out: 'r.csv', failures: 'f.csv' }, { out: 'r.csv', failures: 'f.csv' }],
  ])('%j -> %j', (given, expected) => {
    expect(outputFiles(given)).toEqual(expected);
  });
});

describe('buildTarget', () => {
  it.each([
    ['a flag beats the environment', { env: 'us-sandbox' }, { ZUORA_BASE_URL: 'https://x.example' }, 'https://rest.test.zuora.com'],
    ['--base-url beats --env', { env: 'local', baseUrl: 'https://x.example/' }, {}, 'https://x.example'],
    ['ZUORA_BASE_URL beats ZUORA_ENV', {}, { ZUORA_ENV: 'us-sandbox', ZUORA_BASE_URL: 'http://127.0.0.1:9' }, 'http://127.0.0.1:9'],
    ['ZUORA_ENV alone', {}, { ZUORA_ENV: 'eu-sandbox' }, 'https://rest.test.eu.zuora.com'],
  ])('%s', (_name, flags, env, url) => {
    expect(buildTarget(flags, env)).toEqual({ kind: 'url', baseUrl: url });
  });

  it.each([
    [{}, 'Choose where to send'],
    [{ env: 'mars' }, '--env "mars" is not an environment'],
    [{ baseUrl: 'rest.zuora.com' }, 'is not a URL'],
    [{ baseUrl: 'ftp://x.example' }, 'must start with https://'],
    [{ baseUrl: 'https://u:p@x.example' }, 'must not contain a user name or password'],
    [{ baseUrl: 'http://x.example' }, 'plain http:// is only allowed to loopback'],
  ])('refuses %j', (flags, message) => {
    expect(refusal(() => buildTarget(flags, {}))).toContain(message);
  });
});

describe('readCredentials', () => {
  it.each([
    [{ ZUORA_CLIENT_ID: 'i', ZUORA_CLIENT_SECRET: 's', ZUORA_ACCESS_TOKEN: 't' }, { kind: 'client', clientId: 'i', clientSecret: 's' }],
    [{ ZUORA_ACCESS_TOKEN: ' t ' }, { kind: 'token', token: 't' }],
  ])('%j -> %j', (env, expected) => {
    expect(readCredentials(env)).toEqual(expected);
  });

  it.each([
    [{ ZUORA_CLIENT_ID: 'i' }, 'ZUORA_CLIENT_SECRET is not set'],
    [{ ZUORA_CLIENT_SECRET: 's', ZUORA_ACCESS_TOKEN: 't' }, 'ZUORA_CLIENT_ID is not set'],
    [{ ZUORA_ACCESS_TOKEN: '  ' }, 'No Zuora credentials'],
  ])('refuses %j', (env, message) => {
    expect(refusal(() => readCredentials(env))).toContain(`AUTH_FAILED: ${message}`);
  });
});

describe('parseMaxFailures', () => {
  it.each([
    ['50', { count: 50 }],
    [' 10% ', { percent: 10 }],
    ['0.5%', { percent: 0.5 }],
  ])('%j -> %j', (text, expected) => {
    expect(parseMaxFailures(text)).toEqual(expected);
  });

  it.each(['', 'ten', '-1', '1.5', '101%'])('refuses %j', (text) => {
    expect(refusal(() => parseMaxFailures(text))).toContain('--max-failures must be a count');
  });
});

describe('--decimal-comma and --allow-times-1000', () => {
  it('--decimal-comma with --delimiter , is a bad option; with ; tab or | it is taken', () => {
    expect(refusal(() => buildRunOptions(args({ decimalComma: true, delimiter: ',' }), {}))).toMatch(/^BAD_OPTION: --decimal-comma needs a ; tab or \| delimiter/);
    for (const delimiter of [';', 'tab', '|']) expect(buildRunOptions(args({ decimalComma: true, delimiter }), {})).toMatchObject({ decimalComma: true });
    expect(buildRunOptions(args({ decimalComma: true }), {})).toMatchObject({ decimalComma: true, delimiter: undefined });
  });

  it('--allow-times-1000 reaches the run options; both are off by default', () => {
    expect(buildRunOptions(args({ allowTimes1000: true }), {})).toMatchObject({ allowTimes1000: true });
    expect(buildRunOptions(args(), {})).toMatchObject({ allowTimes1000: false, decimalComma: false });
  });
});
