import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as wait } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SIGNAL_REPEAT_MS } from '../../src/cli/interrupts.js';
import { EXIT } from '../../src/errors.js';
import { createSimulator, type Simulator } from '../../src/simulator/create-simulator.js';
import { demoEnv, lastLogRecord, readCsv, runCli, workdir } from '../helpers/cli.js';
import { putRequests } from '../helpers/received-requests.js';
import { startCli } from '../helpers/start-cli.js';
import { waitFor } from '../helpers/wait-for.js';

const dirs: string[] = [];
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
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
    const run = await runCli(['usage-corrections.csv', '--env', 'local', '--summary-json', 'usage-corrections.csv', '--log-format', 'json'], { cwd: dir });
    expect(run.code).toBe(EXIT.couldNotStart);
    expect(run.stderr).toContain('--summary-json usage-corrections.csv is the same file as the input');
    expect(await snapshot(dir)).toEqual(before);
    expect(lastLogRecord(run.stderr)).toMatchObject({ msg: 'run finished', exitCode: EXIT.couldNotStart, errorCode: 'BAD_OPTION' });
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
    const run = await runCli([input, '--env', 'local', '--failures', join(dir, 'usage-corrections.results.csv.run.json')]);
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

/** The command after "<lead>: " in a next step, split into arguments (the test paths need no quoting). */
function commandAfter(nextStep: string, lead: string): string[] {
  const at = nextStep.indexOf(lead);
  expect(at, nextStep).toBeGreaterThanOrEqual(0);
  const [program, ...args] = nextStep.slice(at + lead.length).trim().split(/\s+/);
  expect(program).toBe('zuora-usage-update');
  return args;
}

describe('the next step keeps every path option the run was given', () => {
  it('after an early stop, the resume command names the same --failures and --summary-json', async () => {
    const { dir, input } = await fixture();
    const [failures, summaryJson] = [join(dir, 'f.csv'), join(dir, 's.json')];
    const run = await runCli([input, '--base-url', 'http://127.0.0.1:1', '--max-attempts', '1', '-c', '3', '--failures', failures, '--summary-json', summaryJson], {
      env: { ZUORA_ACCESS_TOKEN: 'x' },
    });
    expect(run.code).toBe(EXIT.stoppedEarly);
    const { nextStep } = JSON.parse(await readFile(summaryJson, 'utf8')) as { nextStep: string };
    const resume = commandAfter(nextStep, 'finish the job with:');
    expect(resume).toEqual(expect.arrayContaining(['--resume', '--failures', failures, '--summary-json', summaryJson]));
    expect(resume.slice(resume.indexOf('--failures'), resume.indexOf('--failures') + 2)).toEqual(['--failures', failures]);
  });

  it('following the advice of a dry run writes the files the dry run was told to write', async () => {
    const { dir, input } = await fixture();
    const paths = ['--out', join(dir, 'r.csv'), '--failures', join(dir, 'f.csv'), '--summary-json', join(dir, 's.json')];
    expect((await runCli([input, '--env', 'local', '--dry-run', ...paths])).code).toBe(EXIT.ok);
    const advice = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as { nextStep: string };
    const send = commandAfter(advice.nextStep, 'Send them with:');
    expect((await runCli(send)).code).toBe(EXIT.ok);
    expect(JSON.parse(await readFile(join(dir, 's.json'), 'utf8'))).toMatchObject({ status: 'completed', dryRun: false, outputs: { results: join(dir, 'r.csv') } });
    expect(await readFile(join(dir, 'r.csv'), 'utf8')).toContain(',updated,');
    expect((await readdir(dir)).sort()).toEqual(['f.csv', 'r.csv', 'r.csv.run.json', 's.json', 'usage-corrections.csv']);
  });
});

interface SummaryJson {
  status: string;
  exitCode: number;
  rows: number;
  notReached: number;
  counts: { unknown: number };
  error?: { code: string };
}

describe('a run that stops before the end says so, in every way it can end', () => {
  it('an early stop counts the rows never reached, on stderr and in the summary JSON', async () => {
    const { dir, input } = await fixture();
    const total = (await readCsv(input)).length;
    const run = await runCli([input, '--base-url', 'http://127.0.0.1:1', '--max-attempts', '1', '-c', '3', '--summary-json', join(dir, 's.json')], {
      env: { ZUORA_ACCESS_TOKEN: 'x' },
    });
    expect(run.code).toBe(EXIT.stoppedEarly);
    const summary = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as SummaryJson;
    expect(summary.rows).toBe((await readCsv(join(dir, 'usage-corrections.results.csv'))).length);
    expect(summary.notReached).toBe(total - summary.rows);
    expect(summary.notReached).toBeGreaterThan(0);
    expect(run.stderr).toContain(`not reached: ${summary.notReached} rows never processed`);
  });

  it('an interrupt lets the row in flight finish and counts the rest as never reached', async () => {
    sim = await createSimulator({ latencyMs: 300 });
    const { dir, input } = await fixture();
    const total = (await readCsv(input)).length;
    const cli = startCli([input, '-c', '1', '--summary-json', join(dir, 's.json')], demoEnv(sim));
    const server = sim;
    await waitFor(() => putRequests(server).length > 0, { what: 'a first PUT' });
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(EXIT.interrupted);
    const summary = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as SummaryJson;
    expect(summary).toMatchObject({ status: 'interrupted', exitCode: EXIT.interrupted });
    expect(summary.rows).toBeGreaterThanOrEqual(1);
    expect(summary.rows + summary.notReached).toBe(total);
  });

  it('a second signal abandons the requests in flight at once; the summary JSON gets their true counts and the log ends with "run finished"', async () => {
    sim = await createSimulator({ latencyMs: 20_000 });
    const { dir, input } = await fixture();
    const cli = startCli([input, '-c', '2', '--summary-json', join(dir, 's.json'), '--log-format', 'json'], demoEnv(sim));
    const server = sim;
    await waitFor(() => putRequests(server).length > 0, { what: 'a first PUT' });
    cli.child.kill('SIGINT');
    await waitFor(() => cli.stderr().includes('interrupted: finishing in-flight requests'), { what: 'the interrupt acknowledged' });
    // A repeat within SIGNAL_REPEAT_MS counts as the same signal (timeout(1)), so this one waits it out.
    await wait(SIGNAL_REPEAT_MS + 100);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(EXIT.interrupted);
    const summary = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as SummaryJson;
    expect(summary).toMatchObject({ schema: 1, status: 'interrupted', exitCode: EXIT.interrupted });
    // The rows in flight (20 s from an answer) end unknown, and are counted.
    expect(summary.rows).toBeGreaterThanOrEqual(1);
    expect(summary.counts.unknown).toBe(summary.rows);
    expect(lastLogRecord(cli.stderr())).toMatchObject({ msg: 'run finished', exitCode: EXIT.interrupted, status: 'interrupted' });
  });
});
