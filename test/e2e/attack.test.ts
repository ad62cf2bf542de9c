/**
 * Attacks on the built CLI the way a demanding user and a hostile environment would make them: paths
 * that point at another file of the run, runs that overlap, answers that are not Zuora's. Each test
 * failed before the fix it names.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, symlinkSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOKEN_FAULT_KEY, type Simulator } from '../../src/simulator/create-simulator.js';
import { demoEnv, inputFile, readCsv, runCli, workdir } from '../helpers/cli.js';
import { usageId } from '../helpers/sender.js';
import { waitFor } from '../helpers/wait-for.js';
import { pendingRecord, simulatorPerTest } from '../helpers/with-simulator.js';
import { updateRequests } from '../helpers/received-requests.js';

const start = simulatorPerTest();

const A = usageId(0xa1);
const B = usageId(0xb2);
const reads = (s: Simulator) => s.requests.filter((r) => r.path.startsWith('/v1/action/query'));

describe('a path option pointing at a file the run keeps beside its outputs', () => {
  it.each([
    ['the lock', '.lock'],
    ['the journal', '.journal'],
    ['the partial results', '.partial'],
  ])('--summary-json on %s of --out is refused before anything is written, and the next run is not locked out', async (_what, suffix) => {
    const s = await start({ records: [pendingRecord(A, { Quantity: 1 })] });
    const { dir, input } = await inputFile('in.csv', ['Id,Quantity', `${A},9`]);
    const out = join(dir, 'in.results.csv');
    const run = await runCli([input, '--summary-json', `${out}${suffix}`], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain(`beside --out`);
    expect(existsSync(`${out}${suffix}`)).toBe(false);
    expect(existsSync(out)).toBe(false);
    expect(updateRequests(s)).toHaveLength(0);

    const again = await runCli([input], { env: demoEnv(s) });
    expect(again.code, again.stderr).toBe(0);
    expect(s.tenant.get(A)?.Quantity).toBe('9');
  });

  it('--summary-json on the lock beside --backup is refused too', async () => {
    const s = await start({ records: [pendingRecord(A, { Quantity: 1 })] });
    const { dir, input } = await inputFile('in.csv', ['Id,Quantity', `${A},9`]);
    const run = await runCli([input, '--backup', join(dir, 'bk.csv'), '--summary-json', join(dir, 'bk.csv.lock')], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('beside --backup');
    expect(existsSync(join(dir, 'bk.csv.lock'))).toBe(false);
    expect(updateRequests(s)).toHaveLength(0);
  });
});

describe('two runs backing up into one file', () => {
  it('a second run with another --out but the same --backup exits 1 at once; the backup keeps one row per Id, with the values from before', async () => {
    // Answers of 2.5 s keep the first run busy (a read, then two updates one at a time) while the second starts, even under load.
    const s = await start({ records: [pendingRecord(A, { Quantity: 1 }), pendingRecord(B, { Quantity: 2 })], latencyMs: 2_500 });
    const { dir, input: one } = await inputFile('one.csv', ['Id,Quantity', `${A},10`, `${B},20`]);
    const two = join(dir, 'two.csv');
    await writeFile(two, `Id,Quantity\n${A},30\n${B},40\n`);
    const backup = join(dir, 'bk.csv');
    const first = runCli([one, '--backup', backup, '-c', '1'], { env: demoEnv(s) });
    await waitFor(() => reads(s).length >= 1, { timeoutMs: 60_000, what: 'the first run reading its backup' });

    const second = await runCli([two, '--backup', backup, '--resume'], { env: demoEnv(s) });
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toContain(`${backup}.lock`);
    expect(second.stderr).toContain('another --backup');
    expect(existsSync(join(dir, 'two.results.csv'))).toBe(false);

    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    expect(await readFile(backup, 'utf8')).toBe(`Id,Quantity\n${A},1\n${B},2\n`);
    expect(existsSync(`${backup}.lock`)).toBe(false);
    expect(updateRequests(s).filter((r) => r.path.includes(A))).toHaveLength(1);
    expect(s.tenant.get(A)?.Quantity).toBe('10');
    expect((await readCsv(join(dir, 'one.results.csv'))).map((r) => r.result)).toEqual(['updated', 'updated']);
  });
});

describe('an output path on a file that is not an output of this tool', () => {
  it.each(['--out', '--failures', '--summary-json'])('%s on the backup of an earlier run is refused and the backup is left as it was', async (flag) => {
    const s = await start({ records: [pendingRecord(A, { Quantity: 1 }), pendingRecord(B, { Quantity: 2 })] });
    const { dir, input } = await inputFile('in.csv', ['Id,Quantity', `${A},10`, `${B},20`]);
    const backup = join(dir, 'in.backup.csv');
    const first = await runCli([input, '--backup', backup], { env: demoEnv(s) });
    expect(first.code, first.stderr).toBe(0);
    const saved = await readFile(backup, 'utf8');
    expect(saved).toBe(`Id,Quantity\n${A},1\n${B},2\n`);

    const other = join(dir, 'other.csv');
    await writeFile(other, `Id,Quantity\n${A},11\n`);
    const second = await runCli([other, flag, backup], { env: demoEnv(s) });
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toContain(`${flag} ${backup} already exists and is not`);
    expect(await readFile(backup, 'utf8')).toBe(saved);
    expect(updateRequests(s)).toHaveLength(2);

    // The restore still works from the untouched backup.
    const restore = await runCli([backup], { env: demoEnv(s) });
    expect(restore.code, restore.stderr).toBe(0);
    expect([s.tenant.get(A)?.Quantity, s.tenant.get(B)?.Quantity]).toEqual(['1', '2']);
  });

  it('an --out that is a named pipe is written, never read first (reading it would wait for a writer for ever)', async () => {
    const s = await start({ records: [pendingRecord(A, { Quantity: 1 })] });
    const { dir, input } = await inputFile('in.csv', ['Id,Quantity', `${A},10`]);
    const fifo = join(dir, 'results.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const received = readFile(fifo, 'utf8');
    const run = await runCli([input, '--out', fifo], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    expect(await received).toContain(`${A},10,updated`);
  });

  it('a results file of an earlier run (with a BOM and ;) is still written over by a run without --resume', async () => {
    const s = await start({ records: [pendingRecord(A, { Quantity: 1 })] });
    const { dir, input } = await workdir({ name: 'in.csv', text: `\uFEFFId;Quantity\r\n${A};10\r\n` });
    expect((await runCli([input], { env: demoEnv(s) })).code).toBe(0);
    await writeFile(input, `\uFEFFId;Quantity\r\n${A};12\r\n`);
    const again = await runCli([input, '--summary-json', join(dir, 's.json')], { env: demoEnv(s) });
    expect(again.code, again.stderr).toBe(0);
    expect((await runCli([input, '--summary-json', join(dir, 's.json')], { env: demoEnv(s) })).code).toBe(0);
    expect((await readCsv(join(dir, 'in.results.csv'), ';')).map((r) => r.Quantity)).toEqual(['12']);
  });
});

describe('two runs writing one --summary-json', () => {
  it('the second exits 1 at once and leaves the first run\'s summary alone: "running" while it runs, its own end after', async () => {
    // Each answer takes 2.5 s and the first run sends one row at a time: it is still sending (about 5 s)
    // while the second CLI starts, even on a loaded machine (300 ms lost that race under load).
    const s = await start({ records: [pendingRecord(A, { Quantity: 1 }), pendingRecord(B, { Quantity: 2 })], latencyMs: 2_500 });
    const { dir, input } = await inputFile('in.csv', ['Id,Quantity', `${A},10`, `${B},20`]);
    const summary = join(dir, 'summary.json');
    const status = async () => (JSON.parse(await readFile(summary, 'utf8')) as { status: string; exitCode: number | null });
    const first = runCli([input, '-c', '1', '--summary-json', summary], { env: demoEnv(s) });
    await waitFor(() => updateRequests(s).length >= 1, { timeoutMs: 60_000, what: 'the first run sending' });

    const second = await runCli([input, '--out', join(dir, 'other.results.csv'), '--summary-json', summary], { env: demoEnv(s) });
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toContain(`${summary}.lock`);
    expect(second.stderr).toContain('another --summary-json');
    expect(await status()).toMatchObject({ status: 'running', exitCode: null });
    expect(existsSync(join(dir, 'other.results.csv'))).toBe(false);

    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    expect(await status()).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(existsSync(`${summary}.lock`)).toBe(false);
  });
});

describe('a proxy answering 200 with a page of its own to the token request', () => {
  const page = { kind: 'status', status: 200, body: '<html><body>Sign in to the corporate proxy</body></html>' } as const;

  it('at the start: exit 3 (Zuora unreachable), not 1 (credentials refused), with the start of the page', async () => {
    const s = await start({ records: [pendingRecord(A, { Quantity: 1 })], faults: { [TOKEN_FAULT_KEY]: [page] } });
    const { dir, input } = await inputFile('in.csv', ['Id,Quantity', `${A},10`]);
    const summary = join(dir, 's.json');
    const run = await runCli([input, '--summary-json', summary], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain('Sign in to the corporate proxy');
    expect(run.stderr).not.toContain('Check ZUORA_CLIENT_ID');
    expect(JSON.parse(await readFile(summary, 'utf8'))).toMatchObject({ exitCode: 3, error: { code: 'ZUORA_UNREACHABLE' } });
    expect(updateRequests(s)).toHaveLength(0);
  });

  it('mid-run (a renewal): the rows it held are failed as unreachable, never as refused credentials, and the run goes on', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => usageId(0x300 + i));
    const s = await start({ records: ids.map((id) => pendingRecord(id)), latencyMs: 30 });
    const { dir, input } = await inputFile('in.csv', ['Id,Quantity', ...ids.map((id) => `${id},5`)]);
    const run = runCli([input, '-c', '2'], { env: demoEnv(s) });
    await waitFor(() => updateRequests(s).length >= 5, { timeoutMs: 60_000, what: 'the first updates' });
    s.script(TOKEN_FAULT_KEY, [page]);
    s.expireAllTokens();
    const done = await run;
    expect(done.code, done.stderr).toBe(2);
    expect(done.stderr).not.toContain('refused the credentials');
    const rows = await readCsv(join(dir, 'in.results.csv'));
    const failed = rows.filter((r) => r.result !== 'updated');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.map((r) => r.error_code)).toEqual(failed.map(() => 'ZUORA_UNREACHABLE'));
    expect(rows.filter((r) => r.result === 'updated').every((r) => s.tenant.get(r.Id ?? '')?.Quantity === '5')).toBe(true);

    const again = await runCli([join(dir, 'in.failures.csv')], { env: demoEnv(s) });
    expect(again.code, again.stderr).toBe(0);
    expect(ids.every((id) => s.tenant.get(id)?.Quantity === '5')).toBe(true);
  });
});

describe('a look-only run pointed at the results of a real run', () => {
  it.each(['--preview', '--dry-run'])('%s --out <the results of a real run> is refused; --resume still finds what that run recorded', async (flag) => {
    const s = await start({ records: [pendingRecord(A, { Quantity: 1 }), pendingRecord(B, { Quantity: 2 })] });
    const { dir, input } = await inputFile('in.csv', ['Id,Quantity', `${A},10`, `${B},20`]);
    const out = join(dir, 'in.results.csv');
    expect((await runCli([input], { env: demoEnv(s) })).code).toBe(0);
    const recorded = await readFile(out, 'utf8');

    const look = await runCli([input, flag, '--out', out], { env: demoEnv(s) });
    expect(look.code, look.stderr).toBe(1);
    expect(look.stderr).toContain('holds the results of a real run');
    expect(await readFile(out, 'utf8')).toBe(recorded);

    const resumed = await runCli([input, '--resume'], { env: demoEnv(s) });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(updateRequests(s)).toHaveLength(2);
  });
});

describe('an output path that is a link to nowhere', () => {
  it('is refused before anything is written: no journal, no .run.json, nothing sent', async () => {
    const s = await start({ records: [pendingRecord(A, { Quantity: 1 })] });
    const { dir, input } = await inputFile('in.csv', ['Id,Quantity', `${A},10`]);
    symlinkSync(join(dir, 'missing-folder', 'x.csv'), join(dir, 'dangling.csv'));
    const run = await runCli([input, '--out', join(dir, 'dangling.csv')], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('is a link to a file in a folder that does not exist');
    expect(readdirSync(dir).sort()).toEqual(['dangling.csv', 'in.csv']);
    expect(updateRequests(s)).toHaveLength(0);
  });
});
