import { describe, expect, it } from 'vitest';
import { formatSummary, nextStep, type RunSummary } from '../../../src/output/summary.js';

const commands = { resume: 'RESUME', send: 'SEND', sendFailures: 'SEND-FAILURES' };
const none = { updated: 0, failed: 0, unknown: 0, invalid: 0, valid: 0 };
const summary = (overrides: Partial<RunSummary>): RunSummary => ({
  status: 'completed',
  exitCode: 0,
  dryRun: false,
  counts: none,
  rows: 0,
  notReached: 0,
  keptFromEarlierRun: 0,
  requests: 0,
  retries: 0,
  tokenRequests: 0,
  elapsedMs: 1000,
  rowsPerSecond: 0,
  input: 'in.csv',
  out: 'in.results.csv',
  failures: 'in.failures.csv',
  failuresRows: 0,
  trackPrefix: 'p',
  ...overrides,
});

describe('nextStep', () => {
  it.each([
    ['all updated', summary({ counts: { ...none, updated: 3 } }), 'Nothing left to do.'],
    ['failed rows', summary({ counts: { ...none, failed: 1 } }), 'send the failures file again: SEND-FAILURES'],
    ['a clean dry run', summary({ dryRun: true, counts: { ...none, valid: 3 } }), 'Send them with: SEND'],
    ['a dry run with invalid rows', summary({ dryRun: true, counts: { ...none, invalid: 2 } }), 'Fix the 2 invalid row(s) listed in in.failures.csv'],
    ['an interrupt', summary({ status: 'interrupted' }), 'Finish the job with: RESUME'],
    ['refused credentials', summary({ status: 'stopped', stopKind: 'credentials' }), 'Fix the credentials'],
    ['an unwritable output', summary({ status: 'stopped', stopKind: 'output' }), 'Make room or choose another --out, then finish the job with: RESUME'],
  ])('%s', (_name, input, expected) => {
    expect(nextStep(input, commands)).toContain(expected);
  });
});

describe('formatSummary', () => {
  it('names the rows never reached only when there are some', () => {
    const stopped = formatSummary({ ...summary({ status: 'interrupted', rows: 2, notReached: 5 }), nextStep: 'x' });
    expect(stopped).toContain('  not reached: 5 rows never processed');
    expect(formatSummary({ ...summary({ rows: 2 }), nextStep: 'x' })).not.toContain('not reached');
  });
});
