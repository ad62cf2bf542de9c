import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoEnv, inputFile, readCsv, runCli, workdir } from '../helpers/cli.js';
import { usageId } from '../helpers/sender.js';
import { pendingRecord, simulatorPerTest } from '../helpers/with-simulator.js';

const start = simulatorPerTest();

/** How often `text` occurs in `log`. */
function occurrences(log: string, text: string): number {
  return log.split(text).length - 1;
}

/** A loopback URL where nothing listens (a port taken and released). */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('--log-format: one summary, every error once', () => {
  it('text: a wrong input path is one line, without a summary block or a "run finished" record', async () => {
    const { dir } = await workdir('usage-corrections.csv');
    const run = await runCli([join(dir, 'missing.csv'), '--env', 'local', '--log-format', 'text']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^zuora-usage-update: .*missing\.csv/);
    expect(run.stderr).not.toContain('run finished');
    expect(run.stderr).not.toContain('exit code:');
  });

  it('json: a wrong input path is one error record and the "run finished" line naming its code, nothing else', async () => {
    const { dir } = await workdir('usage-corrections.csv');
    const run = await runCli([join(dir, 'missing.csv'), '--env', 'local', '--log-format', 'json']);
    expect(run.code).toBe(1);
    const records = run.stderr.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ level: 50, code: 'INPUT_UNREADABLE' });
    expect(records[1]).toMatchObject({ msg: 'run finished', exitCode: 1, errorCode: 'INPUT_UNREADABLE' });
    expect(occurrences(run.stderr, JSON.stringify(records[0]?.msg))).toBe(1);
  });

  it('json is the default when stderr is not a terminal: JSON lines only, the summary as the last one', async () => {
    const { dir, input } = await workdir('usage-corrections-with-problems.csv');
    const run = await runCli([input, '--env', 'local', '--summary-json', join(dir, 's.json')]);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const last = records.at(-1);
    expect(last).toMatchObject({ msg: 'run finished', exitCode: 2, status: 'completed', counts: { updated: 5, failed: 3, invalid: 8 } });
    // The summary's content is in that line, as in the summary JSON.
    const summary = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as Record<string, unknown>;
    expect(last).toMatchObject({ nextStep: summary.nextStep, errors: summary.errors, notReached: 0, failuresRows: 11 });
    expect(run.stderr).not.toContain('zuora-usage-update: Finished');
    expect(records.filter((r) => r.msg === 'run finished')).toHaveLength(1);
  });

  it('text: the summary block once, and no "run finished" record repeating it', async () => {
    const { input } = await workdir('usage-corrections-with-problems.csv');
    const run = await runCli([input, '--env', 'local', '--log-format', 'text']);
    expect(run.code).toBe(2);
    expect(occurrences(run.stderr, 'zuora-usage-update: Finished.')).toBe(1);
    expect(occurrences(run.stderr, 'next step:')).toBe(1);
    expect(run.stderr).not.toContain('run finished');
    expect(run.stderr).not.toMatch(/^\{/m);
    // Not a terminal: no colours in the log lines.
    expect(run.stderr).not.toContain('\u001b[');
  });

  it('the environment and a config file can set it, like every option (ZUORA_USAGE_LOG_FORMAT)', async () => {
    const { dir } = await workdir('usage-corrections.csv');
    const run = await runCli([join(dir, 'missing.csv'), '--env', 'local'], { env: { ZUORA_USAGE_LOG_FORMAT: 'text' } });
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the next step follows the errors', () => {
  it('groups the rows not done by error_code with one line of advice each; billed rows are not "fix the cells"', async () => {
    const { dir, input } = await workdir('usage-corrections-with-problems.csv');
    const summaryPath = join(dir, 's.json');
    const run = await runCli([input, '--env', 'local', '--log-format', 'text', '--summary-json', summaryPath]);
    expect(run.code).toBe(2);
    const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as { errors: Array<{ code: string; rows: number; advice: string }>; nextStep: string };
    const results = await readCsv(join(dir, 'usage-corrections-with-problems.results.csv'));
    const notDone = results.filter((r) => r.result !== 'updated');
    // Every row not done is in exactly one group: its error_code, or BILLED for a refusal of billed usage.
    const billed = notDone.filter((r) => /been billed/.test(r.error_message ?? ''));
    expect(billed.length).toBeGreaterThan(0);
    expect(billed.every((r) => r.error_code === 'INVALID_VALUE')).toBe(true);
    expect(summary.errors.reduce((sum, group) => sum + group.rows, 0)).toBe(notDone.length);
    for (const group of summary.errors) {
      const rows = group.code === 'BILLED' ? billed : notDone.filter((r) => r.error_code === group.code && !billed.includes(r));
      expect(group.rows, group.code).toBe(rows.length);
    }
    expect(summary.errors.find((group) => group.code === 'INVALID_ROW')?.advice).toMatch(/fix the cell/);
    expect(summary.errors.find((group) => group.code === 'BILLED')?.advice).toMatch(/editing the file will not help/);
    expect(summary.nextStep).toContain(`${billed.length} row(s) (BILLED) cannot be fixed by editing the file`);
    expect(summary.nextStep).toContain('Then send the failures file again');
    expect(run.stderr).toMatch(/errors: +INVALID_ROW 8: /);
  });

  it('VERIFY_MISMATCH: the advice is not to fix the cells, and no re-send is proposed for those rows alone', async () => {
    const ids = [1, 2, 3].map((n) => usageId(n));
    const s = await start({ records: ids.map((id) => pendingRecord(id)), ignoreFields: ['Quantity'] });
    const { dir, input } = await inputFile('v.csv', ['Id,Quantity', ...ids.map((id) => `${id},42`)]);
    const run = await runCli([input, '--verify', '--log-format', 'text', '--summary-json', join(dir, 's.json')], { env: demoEnv(s) });
    expect(run.code).toBe(2);
    const summary = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as { errors: Array<{ code: string; rows: number; advice: string }>; nextStep: string };
    expect(summary.errors).toEqual([{ code: 'VERIFY_MISMATCH', rows: 3, advice: expect.stringContaining('the cells are not the problem') as string }]);
    expect(summary.nextStep).not.toMatch(/fix the cells/i);
    expect(summary.nextStep).toContain('cannot be fixed by editing the file');
    expect(summary.nextStep).not.toContain('send the failures file again');
  });

  it('INVALID_TYPE from Actions: the next step sends the failures file with --transport put', async () => {
    const ids = [1, 2].map((n) => usageId(n));
    const s = await start({ records: ids.map((id) => pendingRecord(id)), refuseUsageUpdates: 'objects' });
    const { dir, input } = await inputFile('a.csv', ['Id,Quantity', ...ids.map((id) => `${id},7`)]);
    const run = await runCli([input, '--transport', 'actions', '--log-format', 'text', '--summary-json', join(dir, 's.json')], { env: demoEnv(s) });
    expect(run.code).toBe(2);
    const summary = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as { errors: Array<{ code: string; advice: string }>; nextStep: string };
    expect(summary.errors[0]).toMatchObject({ code: 'INVALID_TYPE', advice: expect.stringContaining('--transport put') as string });
    expect(summary.nextStep).toMatch(/zuora-usage-update \S*a\.failures\.csv .*--transport put/);
    expect(summary.nextStep).not.toContain('--transport actions');
  });
});

describe('an early stop: the next step is --resume, and the rows never reached are counted', () => {
  it('token endpoint unreachable (exit 3): the summary and summary JSON say why, what was not reached and how to resume', async () => {
    const url = await refusedUrl();
    const { dir, input } = await inputFile('u.csv', ['Id,Quantity', ...[1, 2, 3, 4, 5].map((n) => `${usageId(n)},1`)]);
    const summaryPath = join(dir, 's.json');
    const run = await runCli([input, '--base-url', url, '--max-attempts', '1', '--log-format', 'text', '--summary-json', summaryPath], {
      env: { ZUORA_CLIENT_ID: 'client', ZUORA_CLIENT_SECRET: 'secret-value-123' },
    });
    expect(run.code, run.stderr).toBe(3);
    const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as Record<string, unknown>;
    expect(summary).toMatchObject({ status: 'stopped', exitCode: 3, stopKind: 'unreachable', notReached: 5, rows: 0, error: { code: 'ZUORA_UNREACHABLE' } });
    expect(summary.stopReason).toMatch(/unreachable/);
    expect(summary.nextStep).toMatch(/--resume/);
    expect(run.stderr).toContain('zuora-usage-update: Stopped early:');
    expect(run.stderr).toContain('not reached: 5 rows');
    expect(run.stderr).toContain('results:   none written');
    expect(existsSync(join(dir, 'u.results.csv'))).toBe(false);
    expect(run.stderr).not.toContain('secret-value-123');
  });

  it('--max-failures: the failures file keeps its rows, the summary says the rows not reached are not in it, the next step resumes', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => usageId(i + 1));
    // Only the first 10 Ids exist: the rest fail as not found until --max-failures stops the run.
    const s = await start({ records: ids.slice(0, 10).map((id) => pendingRecord(id)) });
    const { dir, input } = await inputFile('m.csv', ['Id,Quantity', ...ids.map((id) => `${id},3`)]);
    const summaryPath = join(dir, 's.json');
    const run = await runCli([input, '-c', '1', '--max-failures', '5', '--log-format', 'text', '--summary-json', summaryPath], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(3);
    const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as { notReached: number; outputs: { failuresRows: number }; nextStep: string };
    const failures = await readCsv(join(dir, 'm.failures.csv'));
    expect(failures.length).toBe(summary.outputs.failuresRows);
    expect(failures.length).toBeGreaterThan(0);
    expect(summary.notReached).toBeGreaterThan(0);
    expect(run.stderr).toContain(`(${failures.length} rows; the ${summary.notReached} rows not reached are not in it)`);
    expect(summary.nextStep).toContain('--resume');
    expect(summary.nextStep).not.toMatch(/send the failures file/i);
  });
});
