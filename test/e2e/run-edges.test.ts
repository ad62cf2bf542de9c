import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { runCli, workdir } from '../helpers/cli.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function fixture(name = 'usage-corrections.csv'): Promise<{ dir: string; input: string }> {
  const made = await workdir(name);
  dirs.push(made.dir);
  return made;
}

/** Every file in `dir` with its content and modification time, to prove a run touched nothing. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const info = await stat(path);
    files[name] = info.isDirectory() ? 'folder' : `${info.mtimeMs} ${await readFile(path, 'utf8')}`;
  }
  return files;
}

describe('every output is a different file from the input and from each other (exit 1, nothing written)', () => {
  it('--summary-json naming the input is refused and the input stays as it was', async () => {
    const { dir } = await fixture();
    const before = await snapshot(dir);
    const run = await runCli(['usage-corrections.csv', '--env', 'local', '--summary-json', 'usage-corrections.csv'], { cwd: dir });
    expect(run.code).toBe(EXIT.couldNotStart);
    expect(run.stderr).toContain('--summary-json usage-corrections.csv is the same file as the input');
    expect(await snapshot(dir)).toEqual(before);
  });

  it('--summary-json naming the results of the run being resumed is refused and the results stay', async () => {
    const { dir, input } = await fixture();
    expect((await runCli([input, '--env', 'local'])).code).toBe(EXIT.ok);
    const before = await snapshot(dir);
    const results = join(dir, 'usage-corrections.results.csv');
    const run = await runCli([input, '--env', 'local', '--resume', '--summary-json', results]);
    expect(run.code).toBe(EXIT.couldNotStart);
    expect(run.stderr).toContain('is the same file as --out');
    expect(await snapshot(dir)).toEqual(before);
  });

  it('--failures naming the .run.json beside the results is refused', async () => {
    const { dir, input } = await fixture();
    const run = await runCli([input, '--env', 'local', '--failures', join(dir, 'usage-corrections.results.run.json')]);
    expect(run.code).toBe(EXIT.couldNotStart);
    expect(run.stderr).toContain('the .run.json beside --out');
    expect(await readdir(dir)).toEqual(['usage-corrections.csv']);
  });

  it.each([['--failures'], ['--out']])('%s naming a folder: exit 1, earlier outputs untouched, no file created', async (flag) => {
    const { dir, input } = await fixture();
    expect((await runCli([input, '--env', 'local', '--summary-json', join(dir, 's.json')])).code).toBe(EXIT.ok);
    await mkdir(join(dir, 'somedir'));
    const before = await snapshot(dir);
    const run = await runCli([input, '--env', 'local', '--summary-json', join(dir, 's.json'), flag, join(dir, 'somedir')]);
    expect(run.code).toBe(EXIT.couldNotStart);
    expect(run.stderr).toContain(`${flag} ${join(dir, 'somedir')} is a folder`);
    expect(await snapshot(dir)).toEqual(before);
    expect(await readdir(join(dir, 'somedir'))).toEqual([]);
  });
});
