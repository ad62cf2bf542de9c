import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/errors.js';
import { buildSummary, type SummaryFacts } from '../../../src/run/build-summary.js';

const options = { dryRun: false, input: 'in.csv', out: 'in.results.csv', failures: 'in.failures.csv', trackPrefix: 'p' };
const none = { updated: 0, failed: 0, unknown: 0, invalid: 0, valid: 0 };
const facts = (overrides: Partial<SummaryFacts>): SummaryFacts => ({
  status: 'completed',
  counts: none,
  records: Object.values(overrides.counts ?? none).reduce((a, b) => a + b, 0),
  failuresRows: 0,
  keptFromEarlierRun: 0,
  requests: 0,
  rowAttempts: 0,
  answered: 0,
  tokenRequests: 0,
  startedAt: 1000,
  endedAt: 3000,
  ...overrides,
});

describe('buildSummary', () => {
  it.each([
    ['every row updated', facts({ counts: { ...none, updated: 4 } }), EXIT.ok],
    ['a failed row', facts({ counts: { ...none, updated: 3, failed: 1 } }), EXIT.someRowsNotUpdated],
    ['an unknown row', facts({ counts: { ...none, unknown: 1 } }), EXIT.someRowsNotUpdated],
    ['stopped early', facts({ status: 'stopped', counts: { ...none, updated: 4 } }), EXIT.stoppedEarly],
    ['interrupted', facts({ status: 'interrupted' }), EXIT.interrupted],
  ])('%s -> exit %i', (_name, input, exitCode) => {
    expect(buildSummary(input, options).exitCode).toBe(exitCode);
  });

  it('counts retries as requests beyond the first of each answered row', () => {
    expect(buildSummary(facts({ requests: 7, rowAttempts: 7, answered: 4 }), options)).toMatchObject({ requests: 7, retries: 3 });
  });

  it('counts an Actions call once in requests, and once in the retries of each row it carried again', () => {
    // 100 rows in 2 calls; 10 of them answered "try later" and went in a third call.
    expect(buildSummary(facts({ requests: 3, rowAttempts: 110, answered: 100 }), options)).toMatchObject({ requests: 3, retries: 10 });
  });

  it('counts the input records without an outcome as not reached', () => {
    const summary = buildSummary(facts({ status: 'interrupted', counts: { ...none, updated: 7, invalid: 1 }, records: 20 }), options);
    expect(summary).toMatchObject({ rows: 8, notReached: 12 });
  });

  it('totals the rows and leaves rows kept from an earlier run out of the rate', () => {
    const summary = buildSummary(facts({ counts: { ...none, updated: 10, failed: 2 }, keptFromEarlierRun: 4 }), options);
    expect(summary).toMatchObject({ rows: 12, keptFromEarlierRun: 4, elapsedMs: 2000, rowsPerSecond: 4 });
  });
});
