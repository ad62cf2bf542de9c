import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { childEnv, CLI, inputFile, runCli, workdir } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait-for.js';

/** Issue 16 "Files and starts" and issue 18 "Files a person opens", end to end through the built CLI. */

const SLOW_LOADING = new URL('../helpers/slow-loading.mjs', import.meta.url).href;

describe('a signal while the CLI is still loading its modules', () => {
  it('interrupts the run, which still writes the summary JSON final status (exit 130)', async () => {
    const { dir } = await workdir('usage-corrections.csv');
    const marker = join(dir, 'loading');
    const env = childEnv({ ZUU_SLOW_MARKER: marker, ZUU_SLOW_MS: '1000' });
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --import=${SLOW_LOADING}`;
    const child = spawn(process.execPath, [CLI, 'usage-corrections.csv', '--env', 'local', '--summary-json', 's.json'], { cwd: dir, env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // The bin is past its first line and is loading the command's modules.
    await waitFor(() => existsSync(marker), { what: 'the CLI loading its modules' });
    child.kill('SIGINT');
    expect(await exited).toBe(EXIT.interrupted);
    const summary = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as { status: string; exitCode: number };
    expect(summary.status).toBe('interrupted');
    expect(summary.exitCode).toBe(EXIT.interrupted);
  });
});

describe('bad options: exit 1 naming them, nothing written', () => {
  it.each([
    [['--out', 'a.csv', '--out', 'b.csv'], /--out \(-o\) is given 2 times/],
    [['--base-url', 'http://127.0.0.1:1', '--base-url', 'http://127.0.0.1:2'], /--base-url is given 2 times/],
    [['--transport', 'put', '--transport', 'actions'], /--transport is given 2 times/],
    [['--preview', '--failures', 'x.csv'], /--preview writes no failures file/],
  ])('%j', async (flags, message) => {
    const { dir } = await workdir('usage-corrections.csv');
    const run = await runCli(['usage-corrections.csv', '--env', 'local', '--summary-json', 's.json', ...flags], { cwd: dir });
    expect(run.code, run.stderr).toBe(EXIT.couldNotStart);
    expect(run.stderr).toMatch(message);
    // Only a summary JSON saying the run did not start, when the option is refused after its path is known.
    const files = await readdir(dir);
    expect(files.filter((name) => name !== 's.json')).toEqual(['usage-corrections.csv']);
    if (files.includes('s.json')) expect(JSON.parse(await readFile(join(dir, 's.json'), 'utf8'))).toMatchObject({ status: 'not-started', exitCode: 1 });
  });
});

describe('a column with a blank header', () => {
  it('holding data stops the run like an unknown column (exit 1), naming line, column and value; nothing is sent', async () => {
    const { dir } = await inputFile('in.csv', ['Id,Quantity,', '8a8082c45f9f5c5a015f9f6d5d2d0001,5,', '8a8082c45f9f5c5a015f9f6d5d2d0002,6,GB']);
    const run = await runCli(['in.csv', '--env', 'local'], { cwd: dir });
    expect(run.code, run.stderr).toBe(EXIT.couldNotStart);
    expect(run.stderr).toMatch(/Column 3 has no header but holds data \(line 3: "GB"\)/);
    expect(await readdir(dir)).toEqual(['in.csv']);
  });

  it('left empty is carried along as before', async () => {
    const { dir } = await inputFile('in.csv', ['Id,Quantity,', '8a8082c45f9f5c5a015f9f6d5d2d0001,5,']);
    const run = await runCli(['in.csv', '--env', 'local', '--dry-run'], { cwd: dir });
    expect(run.code, run.stderr).toBe(EXIT.ok);
  });
});
