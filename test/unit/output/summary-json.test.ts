import { describe, expect, it } from 'vitest';
import type { Summary } from '../../../src/output/summary.js';
import {
  failedSummaryJson,
  finishedSummaryJson,
  runFinishedFields,
  runFinishedLevel,
  runningSummaryJson,
  type SummaryJsonContext,
} from '../../../src/output/summary-json.js';

const options = {
  input: 'in.csv',
  out: 'in.results.csv',
  failures: 'in.failures.csv',
  summaryJson: 'summary.json',
  target: { kind: 'url', baseUrl: 'https://rest.test.zuora.com/?access_token=abc' },
  entityIds: 'e1',
  orgIds: undefined,
  zuoraVersion: undefined,
  dryRun: false,
  trackPrefix: 'nightly',
} as const;

const context: SummaryJsonContext = {
  version: '9.9.9',
  path: 'summary.json',
  options: { ...options, target: { ...options.target } },
  startedAt: Date.parse('2026-11-28T02:15:00Z'),
  now: Date.parse('2026-11-28T02:16:40Z'),
};

const summary: Summary = {
  status: 'stopped',
  stopReason: 'more than 2 failed rows (--max-failures 2)',
  stopKind: 'max-failures',
  exitCode: 3,
  dryRun: false,
  counts: { updated: 7, failed: 2, unknown: 1, invalid: 0, valid: 0 },
  rows: 10,
  notReached: 4,
  keptFromEarlierRun: 3,
  requests: 9,
  retries: 2,
  tokenRequests: 1,
  elapsedMs: 100_000,
  rowsPerSecond: 0.0666,
  input: 'in.csv',
  out: 'in.results.csv',
  failures: 'in.failures.csv',
  failuresRows: 3,
  trackPrefix: 'nightly',
  nextStep: 'Send the failures file again: zuora-usage-update in.failures.csv',
};

/** The keys of schema 1, in order (SummaryJsonV1 documents each): a change here is a schema change. */
const SCHEMA_1_KEYS = [
  'schema', 'tool', 'version', 'status', 'exitCode', 'dryRun', 'input', 'target', 'trackPrefix', 'counts', 'rows',
  'notReached', 'keptFromEarlierRun', 'requests', 'retries', 'preview', 'verify', 'inDoubt', 'backup', 'quantityTimes1000', 'warnings', 'timing', 'outputs', 'nextStep', 'stopReason', 'stopKind', 'error',
  'errors',
];

describe('summary JSON, schema 1', () => {
  it('maps a finished run, with the target stripped of anything that can carry a secret', () => {
    const doc = finishedSummaryJson(summary, context);
    expect(Object.keys(doc)).toEqual(SCHEMA_1_KEYS);
    expect(doc).toMatchObject({
      schema: 1,
      version: '9.9.9',
      status: 'stopped',
      exitCode: 3,
      target: { kind: 'url', baseUrl: 'https://rest.test.zuora.com (user, query or fragment hidden)', entityIds: 'e1', orgIds: null, zuoraVersion: null },
      counts: { updated: 7, failed: 2, unknown: 1, invalid: 0, valid: 0 },
      notReached: 4,
      requests: { updates: 9, reads: 0, tokens: 1, total: 10 },
      retries: 2,
      timing: { startedAt: '2026-11-28T02:15:00.000Z', finishedAt: '2026-11-28T02:16:40.000Z', elapsedMs: 100_000, rowsPerSecond: 0.1 },
      outputs: { results: 'in.results.csv', failures: 'in.failures.csv', failuresRows: 3, summaryJson: 'summary.json' },
      stopReason: 'more than 2 failed rows (--max-failures 2)',
      stopKind: 'max-failures',
      error: null,
    });
    expect(JSON.stringify(doc)).not.toContain('abc');
  });

  it('has every key, null where it does not apply, while running and after a failed start', () => {
    const running = runningSummaryJson(context);
    expect(Object.keys(running)).toEqual(SCHEMA_1_KEYS);
    expect(running).toMatchObject({ status: 'running', exitCode: null, nextStep: null, timing: { finishedAt: null } });
    const notStarted = failedSummaryJson({ exitCode: 1, status: 'not-started', code: 'BAD_OPTION', message: 'bad' }, { ...context, options: undefined });
    expect(Object.keys(notStarted)).toEqual(SCHEMA_1_KEYS);
    expect(notStarted).toMatchObject({ status: 'not-started', exitCode: 1, target: null, input: null, notReached: 0, stopKind: null, error: { code: 'BAD_OPTION', message: 'bad' } });
  });

  it('a preview has its quantity change and reads, and no failures file; --verify and --backup their counts', () => {
    const preview = finishedSummaryJson({ ...summary, preview: true, quantityChange: '-1.5', readRequests: 2, counts: { ...summary.counts, 'would-update': 3 } }, context);
    expect(preview).toMatchObject({
      preview: { quantityChange: '-1.5' },
      verify: null,
      backup: null,
      counts: { 'would-update': 3 },
      requests: { updates: 9, reads: 2, tokens: 1, total: 12 },
      outputs: { failures: null, failuresRows: null },
    });
    expect(preview).toMatchObject({ quantityTimes1000: null, warnings: [] });
    const refused = finishedSummaryJson({ ...summary, preview: true, quantityTimes1000: 51, warnings: ['2 date-time cell(s) had a time without seconds'] }, context);
    expect(refused).toMatchObject({ quantityTimes1000: 51, warnings: ['2 date-time cell(s) had a time without seconds'] });
    const verify = { verified: 5, mismatches: 1, notVerified: 0, verifiedAfterUnknown: 0, notCompared: 0 };
    expect(finishedSummaryJson({ ...summary, verify, backup: { path: 'b.csv', ids: 6 } }, context)).toMatchObject({ preview: null, verify, backup: { path: 'b.csv', ids: 6 } });
  });

  it('the "run finished" record carries the exit code and counts, at a level that matches', () => {
    expect(runFinishedFields(finishedSummaryJson(summary, context))).toMatchObject({ exitCode: 3, status: 'stopped', counts: summary.counts, notReached: 4, requests: 10, stopReason: summary.stopReason });
    expect([0, 1, 2, 3, 130].map(runFinishedLevel)).toEqual(['info', 'error', 'warn', 'error', 'warn']);
  });
});
