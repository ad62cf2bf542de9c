import { describe, expect, it } from 'vitest';
import { checkOutputPaths, runOutputs, type PathProbe } from '../../../src/cli/check-output-paths.js';

/** A file system of a few paths: `/data` a writable folder, `/ro` a read-only one, `/link.csv` a link to the input. */
const probe: PathProbe = {
  realpath(path) {
    const links: Record<string, string> = { '/link.csv': '/data/in.csv', '/data': '/data', '/ro': '/ro', '/data/in.csv': '/data/in.csv', '/data/dir': '/data/dir', '/data/old.csv': '/data/old.csv' };
    const real = links[path];
    if (real === undefined) throw new Error('ENOENT');
    return real;
  },
  kind: (path) => ({ '/data': 'folder', '/ro': 'folder', '/data/dir': 'folder', '/data/in.csv': 'file', '/link.csv': 'file', '/data/old.csv': 'file' } as const)[path],
  writable: (path) => path !== '/ro',
};

const outputs = (overrides: Record<string, string | boolean> = {}) =>
  runOutputs({ input: '/data/in.csv', dryRun: false, ...overrides });

describe('runOutputs', () => {
  it('lists results, failures, the .run.json beside the results and the summary JSON', () => {
    expect(outputs({ summaryJson: '/data/s.json' })).toEqual([
      { name: '--out', path: '/data/in.results.csv' },
      { name: '--failures', path: '/data/in.failures.csv' },
      { name: 'the .run.json beside --out', path: '/data/in.results.run.json' },
      { name: '--summary-json', path: '/data/s.json' },
    ]);
  });

  it('lists the --report file among the outputs, in a preview too', () => {
    expect(outputs({ report: '/data/r.html' }).at(-1)).toEqual({ name: '--report', path: '/data/r.html' });
    expect(outputs({ preview: true, report: '/data/r.html' }).map((o) => o.name)).toEqual(['--out', '--report']);
  });

  it('a dry run writes no .run.json', () => {
    expect(runOutputs({ input: 'a.csv', dryRun: true }).map((o) => o.path)).toEqual(['a.dry-run.csv', 'a.dry-run.failures.csv']);
  });
});

describe('checkOutputPaths', () => {
  it('accepts different files in writable folders', () => {
    expect(() => checkOutputPaths('/data/in.csv', outputs({ summaryJson: '/data/s.json', out: '/data/old.csv' }), probe)).not.toThrow();
  });

  it.each([
    ['the summary JSON over the input', { summaryJson: '/data/in.csv' }, '--summary-json /data/in.csv is the same file as the input'],
    ['the results over the input through a link', { out: '/link.csv' }, '--out /link.csv is the same file as the input'],
    ['the summary JSON over the results', { summaryJson: '/data/in.results.csv' }, '--summary-json /data/in.results.csv is the same file as --out (/data/in.results.csv)'],
    ['the failures over the .run.json', { failures: '/data/in.results.run.json' }, 'the .run.json beside --out /data/in.results.run.json is the same file as --failures'],
    ['results into a folder', { out: '/data/dir' }, '--out /data/dir is a folder'],
    ['failures in a missing folder', { failures: '/nowhere/f.csv' }, '--failures /nowhere/f.csv: the folder /nowhere does not exist'],
    ['a summary in a read-only folder', { summaryJson: '/ro/s.json' }, '--summary-json /ro/s.json: the folder /ro cannot be written'],
    ['the report over the input through a link', { report: '/link.csv' }, '--report /link.csv is the same file as the input'],
    ['the report over the summary JSON', { summaryJson: '/data/s.json', report: '/data/s.json' }, '--report /data/s.json is the same file as --summary-json (/data/s.json)'],
    ['the report over the failures', { report: '/data/in.failures.csv' }, '--report /data/in.failures.csv is the same file as --failures'],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => checkOutputPaths('/data/in.csv', outputs(overrides), probe)).toThrow(message);
  });
});
