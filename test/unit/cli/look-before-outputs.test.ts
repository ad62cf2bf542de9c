import { describe, expect, it } from 'vitest';
import { buildRunOptions, MAIN_ARG_DEFAULTS, type MainArgs } from '../../../src/cli/build-run-options.js';
import { runOutputs } from '../../../src/cli/check-output-paths.js';

const args = (overrides: Partial<MainArgs> = {}): MainArgs => ({ input: 'a.csv', env: 'local', ...MAIN_ARG_DEFAULTS, ...overrides });

describe('the files of --preview and --backup', () => {
  it('a preview writes only <input>.preview.csv (and the summary JSON): no failures file, no .run.json', () => {
    expect(runOutputs(args({ preview: true, summaryJson: 's.json' }))).toEqual([
      { name: '--out', path: 'a.preview.csv' },
      { name: '--summary-json', path: 's.json' },
    ]);
  });

  it('the backup is one more output, checked with the others', () => {
    expect(runOutputs(args({ backup: 'b.csv' })).map((o) => o.name)).toEqual(['--out', '--failures', 'the .run.json beside --out', '--backup']);
  });

  it('an empty --backup is refused as a bad option, not checked as a path', () => {
    expect(runOutputs(args({ backup: ' ' })).map((o) => o.name)).not.toContain('--backup');
    expect(() => buildRunOptions(args({ backup: ' ' }), {})).toThrow(/--backup needs a file name/);
  });

  it.each([
    [{ preview: true, dryRun: true }, /--preview only reads .* --dry-run/],
    [{ preview: true, backup: 'b.csv', verify: true }, /--preview only reads .* --backup, --verify/],
    [{ preview: true, resume: true }, /--preview only reads .* --resume/],
    [{ preview: true, failures: 'x.csv' }, /--preview writes no failures file .* leave out --failures x.csv/],
    [{ backup: 'b.csv', dryRun: true }, /--backup with --dry-run/],
    [{ verify: true, dryRun: true }, /--verify with --dry-run/],
  ])('refuses %j', (overrides, message) => {
    expect(() => buildRunOptions(args(overrides), {})).toThrow(message);
  });
});
