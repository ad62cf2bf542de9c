import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import type { Simulator } from '../../src/simulator/create-simulator.js';
import { childEnv, CLI, demoEnv, inputFile, readCsv, runCli, workdir } from '../helpers/cli.js';
import { usageId } from '../helpers/sender.js';
import { waitFor } from '../helpers/wait-for.js';
import { pendingRecord, simulatorPerTest } from '../helpers/with-simulator.js';
import { putRequests } from '../helpers/received-requests.js';

const start = simulatorPerTest();
const IDS = [usageId(0xa1), usageId(0xb2), usageId(0xc3), usageId(0xd4)];
/** A simulator holding IDS, and an input setting each to 10, 20, 30, 40. */
async function tenantAndInput(name = 'in.csv'): Promise<{ s: Simulator; dir: string; input: string }> {
  const s = await start({ records: IDS.map((id, i) => pendingRecord(id, { Quantity: i + 1 })) });
  const { dir, input } = await inputFile(name, ['Id,Quantity', ...IDS.map((id, i) => `${id},${(i + 1) * 10}`)]);
  return { s, dir, input };
}

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

describe('side files follow the results file (issue 16 items 10 and 11)', () => {
  it('a symlinked --out meets the lock of the file it points at: exit 1, nothing sent', async () => {
    const { s, dir, input } = await tenantAndInput();
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'r.csv'), '');
    await symlink('../r.csv', join(dir, 'sub', 'l.csv'));
    // A live run (this process) holds the lock of r.csv.
    await writeFile(join(dir, 'r.csv.lock'), `${JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), refreshedAt: new Date().toISOString() })}\n`);
    const run = await runCli([input, '--out', join(dir, 'sub', 'l.csv'), '--resume'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(EXIT.couldNotStart);
    expect(run.stderr).toContain(join(dir, 'r.csv.lock'));
    expect(putRequests(s)).toHaveLength(0);
    expect(existsSync(join(dir, 'sub', 'l.csv.lock'))).toBe(false);
  });

  it('--out res.csv and --out res keep separate .run.json files', async () => {
    const { s, dir, input } = await tenantAndInput();
    expect((await runCli([input, '--out', join(dir, 'res.csv')], { env: demoEnv(s) })).code).toBe(EXIT.ok);
    expect((await runCli([input, '--out', join(dir, 'res')], { env: demoEnv(s) })).code).toBe(EXIT.ok);
    const files = await readdir(dir);
    expect(files).toContain('res.csv.run.json');
    expect(files).toContain('res.run.json');
    expect(JSON.parse(await readFile(join(dir, 'res.csv.run.json'), 'utf8'))).toMatchObject({ results: join(dir, 'res.csv') });
    expect(JSON.parse(await readFile(join(dir, 'res.run.json'), 'utf8'))).toMatchObject({ results: join(dir, 'res') });
  });

  it.each([
    ['.run.json', 'my notes\n'],
    ['.journal', 'a,b\n1,2\n'],
    ['.partial', 'Id,Quantity\nx,1\n'],
    ['.kept-rows', 'my notes\n'],
  ])('an existing results%s the tool did not write is refused (exit 1) and left as it was', async (suffix, text) => {
    const { s, dir, input } = await tenantAndInput();
    const side = join(dir, `in.results.csv${suffix}`);
    await writeFile(side, text);
    const run = await runCli([input], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(EXIT.couldNotStart);
    expect(run.stderr).toContain(`${side} is in the way`);
    expect(await readFile(side, 'utf8')).toBe(text);
    expect(putRequests(s)).toHaveLength(0);
  });

  it('--resume still reads the .run.json name of earlier versions (in.results.run.json): recorded rows are not sent again', async () => {
    const { s, dir, input } = await tenantAndInput();
    expect((await runCli([input], { env: demoEnv(s) })).code).toBe(EXIT.ok);
    const info = JSON.parse(await readFile(join(dir, 'in.results.csv.run.json'), 'utf8')) as Record<string, unknown>;
    delete info.results;
    delete info.completedAt;
    await writeFile(join(dir, 'in.results.run.json'), JSON.stringify(info));
    await rename(join(dir, 'in.results.csv.run.json'), join(dir, 'gone.json'));
    const sent = putRequests(s).length;
    const again = await runCli([input, '--resume'], { env: demoEnv(s) });
    expect(again.code, again.stderr).toBe(EXIT.ok);
    expect(putRequests(s).length).toBe(sent);
  });
});

describe('no silent overwrite of an unfinished run (issue 18)', () => {
  /** What a run killed after recording two of the four rows leaves: part of the results, a .run.json without an end, its journal. */
  async function killedRun(): Promise<{ s: Simulator; dir: string; input: string; results: string }> {
    const { s, dir, input } = await tenantAndInput();
    expect((await runCli([input], { env: demoEnv(s) })).code).toBe(EXIT.ok);
    const results = join(dir, 'in.results.csv');
    const lines = (await readFile(results, 'utf8')).split('\n');
    await writeFile(results, `${lines.slice(0, 3).join('\n')}\n`);
    const infoPath = join(dir, 'in.results.csv.run.json');
    const info = JSON.parse(await readFile(infoPath, 'utf8')) as Record<string, unknown>;
    delete info.completedAt;
    await writeFile(infoPath, JSON.stringify(info));
    return { s, dir, input, results };
  }

  it('a finished run records its end, and a run again replaces its results with a log line naming them', async () => {
    const { s, dir, input } = await tenantAndInput();
    expect((await runCli([input], { env: demoEnv(s) })).code).toBe(EXIT.ok);
    expect(JSON.parse(await readFile(join(dir, 'in.results.csv.run.json'), 'utf8'))).toHaveProperty('completedAt');
    const again = await runCli([input], { env: demoEnv(s) });
    expect(again.code, again.stderr).toBe(EXIT.ok);
    expect(again.stderr).toContain(`replacing the results of a finished earlier run in ${join(dir, 'in.results.csv')}`);
  });

  it('without --resume or --overwrite: exit 1 saying how many rows they hold and how many are missing; nothing sent, nothing changed', async () => {
    const { s, input, results } = await killedRun();
    const before = await readFile(results, 'utf8');
    const sent = putRequests(s).length;
    const run = await runCli([input], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(EXIT.couldNotStart);
    expect(run.stderr).toMatch(/holds the results of an unfinished run: 2 of the 4 rows of the input are recorded, 2 are missing/);
    expect(run.stderr).toMatch(/--resume .* --overwrite/);
    expect(await readFile(results, 'utf8')).toBe(before);
    expect(putRequests(s).length).toBe(sent);
  });

  it('a journal beside the results marks them unfinished too (results of earlier versions)', async () => {
    const { s, dir, input } = await tenantAndInput();
    expect((await runCli([input], { env: demoEnv(s) })).code).toBe(EXIT.ok);
    await writeFile(join(dir, 'in.results.csv.journal'), '');
    expect((await runCli([input], { env: demoEnv(s) })).code).toBe(EXIT.couldNotStart);
  });

  it('--overwrite starts over; --resume finishes it', async () => {
    const { s, input, results } = await killedRun();
    const sent = putRequests(s).length;
    const over = await runCli([input, '--overwrite'], { env: demoEnv(s) });
    expect(over.code, over.stderr).toBe(EXIT.ok);
    expect(putRequests(s).length).toBe(sent + 4);
    expect((await readCsv(results)).map((r) => r.result)).toEqual(['updated', 'updated', 'updated', 'updated']);

    const other = await killedRun();
    const resumed = await runCli([other.input, '--resume'], { env: demoEnv(other.s) });
    expect(resumed.code, resumed.stderr).toBe(EXIT.ok);
    expect((await readCsv(other.results)).map((r) => r.result)).toEqual(['updated', 'updated', 'updated', 'updated']);
  });

  it('--overwrite with --resume is a bad option', async () => {
    const { s, input } = await tenantAndInput();
    const run = await runCli([input, '--overwrite', '--resume'], { env: demoEnv(s) });
    expect(run.code).toBe(EXIT.couldNotStart);
    expect(run.stderr).toContain('--overwrite and --resume contradict each other');
  });
});

describe('line endings follow the input (issue 18)', () => {
  it.each([
    ['CRLF in, CRLF out', '\r\n'],
    ['LF in, LF out', '\n'],
  ])('%s: results and failures', async (_name, eol) => {
    const s = await start({ records: IDS.map((id, i) => pendingRecord(id, { Quantity: i + 1 })) });
    const { dir, input } = await workdir({ name: 'in.csv', text: ['Id,Quantity', `${IDS[0]},10`, `${IDS[1]},abc`, `${IDS[2]},30`, ''].join(eol) });
    const run = await runCli([input], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(EXIT.someRowsNotUpdated);
    for (const name of ['in.results.csv', 'in.failures.csv']) {
      const text = await readFile(join(dir, name), 'utf8');
      const lines = text.split('\n').slice(0, -1);
      expect(lines.length, name).toBeGreaterThan(1);
      for (const line of lines) expect(line.endsWith('\r'), `${name}: ${line}`).toBe(eol === '\r\n');
    }
  });
});
