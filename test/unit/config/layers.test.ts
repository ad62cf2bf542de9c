import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/cli.js';

/** The relative imports of every module in a folder of src/, type-only ones included. */
function importsOf(folder: string): Array<{ file: string; from: string }> {
  const dir = join(ROOT, 'src', folder);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .flatMap((name) => [...readFileSync(join(dir, name), 'utf8').matchAll(/from '(\.[^']+)'/g)].map((match) => ({ file: `${folder}/${name}`, from: match[1] ?? '' })));
}

describe('the settings stage sits below the CLI edge', () => {
  it('config/ imports nothing from cli/: the command line reads the settings, never the reverse', () => {
    expect(importsOf('config').filter(({ from }) => from.startsWith('../cli/'))).toEqual([]);
  });

  it('cli/ and config/ take "did you mean" from text/, not from a stage of the pipeline', () => {
    const both = [...importsOf('cli'), ...importsOf('config')];
    expect(both.filter(({ from }) => from.startsWith('../input/columns'))).toEqual([]);
  });
});
