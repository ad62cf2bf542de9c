import { describe, expect, it } from 'vitest';
import { MAIN_ARG_DEFAULTS, type MainArgs } from '../../../src/cli/build-run-options.js';
import { nextCommands } from '../../../src/cli/next-commands.js';
import { exitCodeFor } from '../../../src/output/exit-code.js';
import { formatSummary } from '../../../src/output/format-summary.js';
import { nextStep } from '../../../src/output/next-step.js';
import type { RunSummary } from '../../../src/output/summary.js';

const commands = { resume: 'RESUME', send: 'SEND', sendFailures: 'SEND-FAILURES', preview: 'PREVIEW', applyWithBackup: 'APPLY' };
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

  it('lists the requests by kind: updates with their retries, reads, tokens', () => {
    const text = formatSummary({ ...summary({ rows: 3, requests: 4, retries: 1, readRequests: 2, tokenRequests: 1 }), nextStep: 'x' });
    expect(text).toContain('  requests:  updates 4 (1 retries), reads 2, tokens 1');
  });
});

describe('after a preview', () => {
  const args = (overrides: Partial<MainArgs> = {}): MainArgs => ({ input: 'fix.csv', env: 'us-sandbox', ...MAIN_ARG_DEFAULTS, ...overrides });
  const files = { input: 'fix.csv', out: 'fix.preview.csv', failures: 'fix.failures.csv' };
  const preview = (overrides: Partial<RunSummary>): RunSummary => summary({ preview: true, ...files, ...overrides });
  const commands = nextCommands(args({ preview: true }), files);

  it('exit 0 only when every row would update or is unchanged', () => {
    expect(exitCodeFor('completed', { ...none, 'would-update': 3, unchanged: 1 })).toBe(0);
    expect(exitCodeFor('completed', { ...none, 'would-update': 3, blocked: 1 })).toBe(2);
    expect(exitCodeFor('completed', { ...none, 'would-update': 3, 'not-found': 1 })).toBe(2);
  });

  it('the next step is to read the preview, then apply with a backup and --verify', () => {
    expect(nextStep(preview({ counts: { ...none, 'would-update': 2 } }), commands)).toBe(
      'Open fix.preview.csv in your spreadsheet to check the before_ columns against yours. To apply, with a backup to restore from: zuora-usage-update fix.csv --backup fix.backup.csv --verify --env us-sandbox',
    );
    expect(nextStep(preview({ counts: { ...none, 'would-update': 2, blocked: 1, invalid: 2 } }), commands)).toMatch(
      /^Open fix.preview.csv in your spreadsheet: 3 row\(s\) would not be applied/,
    );
    expect(nextStep(preview({ status: 'stopped' }), commands)).toBe(
      'The preview is incomplete; run it again: zuora-usage-update fix.csv --preview --out fix.preview.csv --env us-sandbox',
    );
  });

  it('a run with --backup and --verify: a resumed run appends to the same backup, a run of the failures backs up beside them', () => {
    const run = nextCommands(args({ backup: 'fix.backup.csv', verify: true }), { ...files, out: 'fix.results.csv' });
    expect(run.resume).toBe('zuora-usage-update fix.csv --resume --out fix.results.csv --backup fix.backup.csv --env us-sandbox --verify');
    expect(run.sendFailures).toBe('zuora-usage-update fix.failures.csv --backup fix.failures.backup.csv --env us-sandbox --verify');
  });
});

describe('a spreadsheet that multiplied quantities by 1000, or may have', () => {
  const withRestore = { ...commands, previewFirst: 'PREVIEW-FIRST', restore: 'RESTORE' };

  it('the next step names the 1000-fold rows and their fix first, then the usual step', () => {
    const step = nextStep(summary({ quantityTimes1000: 2, counts: { ...none, updated: 3, invalid: 2 }, backup: { path: 'b.csv', ids: 5 } }), withRestore);
    expect(step.split('\n')).toEqual([
      expect.stringMatching(/^2 row\(s\) have a Quantity exactly 1000 × Zuora's \(QUANTITY_TIMES_1000, not sent\): the spreadsheet read their decimal point as a thousands separator\. .*format the Quantity column as Text.*--decimal-comma.*--allow-times-1000/),
      expect.stringContaining('send the failures file again: SEND-FAILURES'),
      "To undo this run's changes, restore the backup: RESTORE",
    ]);
  });

  it('no 1000-fold rows: no word of them; a backup run still gives the restore command', () => {
    const step = nextStep(summary({ quantityTimes1000: 0, counts: { ...none, updated: 3 }, backup: { path: 'b.csv', ids: 3 } }), withRestore);
    expect(step).toBe("Nothing left to do.\nTo undo this run's changes, restore the backup: RESTORE");
  });

  it('a dry run of a file with decimal-comma signs suggests a preview first; a real run that sent says to check what it sent', () => {
    const dry = nextStep(summary({ dryRun: true, decimalCommaSigns: 'a ; delimiter', counts: { ...none, valid: 3 } }), withRestore);
    expect(dry).toBe("All rows are valid. Send them with: SEND\nPreview it first, which compares each quantity with Zuora's: PREVIEW-FIRST");
    const sent = nextStep(summary({ decimalCommaSigns: 'a ; delimiter', counts: { ...none, updated: 3 } }), withRestore);
    expect(sent).toContain('Check the quantities this run sent (a spreadsheet may have made some 1000 times larger), and preview the next file from this spreadsheet first: PREVIEW-FIRST');
  });

  it('the summary text counts the rows apart and prints each warning once; the next step keeps one line per step', () => {
    const text = formatSummary({ ...summary({ rows: 5, quantityTimes1000: 2, warnings: ['W1', 'W2'] }), nextStep: 'first\nsecond' });
    expect(text).toContain("  x1000:     2 rows refused, not sent: Quantity exactly 1000 × Zuora's (QUANTITY_TIMES_1000; counted in invalid)");
    expect(text).toContain('  warning:   W1\n  warning:   W2\n');
    expect(text).toContain('  next step: first\n             second\n');
    expect(formatSummary({ ...summary({ rows: 5, quantityTimes1000: 0 }), nextStep: 'x' })).not.toContain('x1000');
  });

  it('the commands: restore sends the backup with the same reading flags (--decimal-comma), preview-first uses the default preview file', () => {
    const args: MainArgs = { input: 'fix.csv', env: 'us-sandbox', ...MAIN_ARG_DEFAULTS, backup: 'fix.backup.csv', decimalComma: true, dateFormat: 'DD.MM.YYYY' };
    const made = nextCommands(args, { input: 'fix.csv', out: 'fix.results.csv', failures: 'fix.failures.csv' });
    expect(made.restore).toBe('zuora-usage-update fix.backup.csv --env us-sandbox --date-format DD.MM.YYYY --decimal-comma');
    expect(made.previewFirst).toBe('zuora-usage-update fix.csv --preview --env us-sandbox --date-format DD.MM.YYYY --decimal-comma');
    expect(nextCommands({ ...args, backup: undefined }, { input: 'fix.csv', out: 'fix.results.csv', failures: 'fix.failures.csv' }).restore).toBeUndefined();
  });
});
