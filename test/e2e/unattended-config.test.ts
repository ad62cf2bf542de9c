import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src/config/settings.js';
import { createSimulator, DEMO_CREDENTIALS, type Simulator } from '../../src/simulator/create-simulator.js';
import { CLI, demoEnv, lastLogRecord, logMessages, readCsv, ROOT, runCli, workdir } from '../helpers/cli.js';
import { guardVariables, runProcess } from '../helpers/run-process.js';

/** Settings from the environment and a config file, on the built CLI (unit tests cover the rules one by one). */

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const fixture = (name = 'usage-corrections.csv'): Promise<{ dir: string; input: string }> => workdir(name);

describe('precedence on a real run: flags > environment > config file', () => {
  it.each([
    ['config file', {}, [], 'from-file'],
    ['environment', { ZUORA_USAGE_TRACK_PREFIX: 'from-env' }, [], 'from-env'],
    ['flag', { ZUORA_USAGE_TRACK_PREFIX: 'from-env' }, ['--track-prefix', 'from-flag'], 'from-flag'],
  ])('the track prefix comes from the %s', async (_, env, flags, prefix) => {
    const { dir, input } = await fixture();
    await writeFile(join(dir, '.zuora-usage-update.json'), JSON.stringify({ trackPrefix: 'from-file', env: 'local' }));
    const run = await runCli(['usage-corrections.csv', ...flags], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    const rows = await readCsv(join(dir, 'usage-corrections.results.csv'));
    expect(rows.every((r) => r.track_id === `${prefix}-${r.line}`)).toBe(true);
    expect(input).toContain(dir);
  });

  it('ZUORA_USAGE_CONCURRENCY and ZUORA_USAGE_MAX_FAILURES reach the run', async () => {
    sim = await createSimulator({ latencyMs: 5 });
    const { input } = await fixture();
    const run = await runCli([input], { env: { ...demoEnv(sim), ZUORA_USAGE_CONCURRENCY: '2', ZUORA_USAGE_MAX_FAILURES: '5%' } });
    expect(run.code, run.stderr).toBe(0);
    expect(sim.stats.maxInFlight).toBeLessThanOrEqual(2);
    expect(sim.stats.maxInFlight).toBeGreaterThan(1);
  });
});

describe('refused settings: exit 1 before anything is sent, naming the key', () => {
  it.each([
    ['an unknown key', { concurency: 4 }, {}, /key "concurency": not a setting \(did you mean concurrency\?\)/],
    ['a wrong type', { timeout: '5s' }, {}, /key "timeout": must be a number; got "5s"/],
    ['a secret', { clientSecret: 'abc' }, {}, /key "clientSecret": credentials are never read from a file/],
    ['a misspelled variable', {}, { ZUORA_USAGE_MAXFAILURES: '5%' }, /ZUORA_USAGE_MAXFAILURES is not a setting/],
  ])('%s', async (_, config, env, message) => {
    sim = await createSimulator();
    const { dir } = await fixture();
    await writeFile(join(dir, '.zuora-usage-update.json'), JSON.stringify(config));
    const run = await runCli(['usage-corrections.csv', '--log-format', 'json'], { cwd: dir, env: { ...demoEnv(sim), ...env } });
    expect(run.code).toBe(1);
    expect(logMessages(run.stderr)).toMatch(message);
    expect(sim.requests).toHaveLength(0);
    expect(lastLogRecord(run.stderr)).toMatchObject({ msg: 'run finished', exitCode: 1, status: 'not-started', errorCode: 'BAD_OPTION' });
  });

  it('a flag yargs refuses ends the same way', async () => {
    const run = await runCli(['usage-corrections.csv', '--env', 'local', '--concurency', '3', '--log-format', 'json']);
    expect(run.code).toBe(1);
    expect(logMessages(run.stderr)).toMatch(/Unknown option --concurency: did you mean --concurrency\?/);
    expect(lastLogRecord(run.stderr)).toMatchObject({ msg: 'run finished', exitCode: 1, errorCode: 'BAD_OPTION' });
  });

  it('--config naming a missing file', async () => {
    const { dir } = await fixture();
    const run = await runCli(['usage-corrections.csv', '--env', 'local', '--config', 'nope.json'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Cannot read the config file .*nope\.json/);
  });

  it('--help and --version still work beside a broken config file and a misspelled variable', async () => {
    const { dir } = await fixture();
    await writeFile(join(dir, '.zuora-usage-update.json'), '{ broken');
    const env = { ZUORA_USAGE_NOPE: '1' };
    for (const argv of [['--version'], ['--help'], ['usage-corrections.csv', '-h'], ['simulate', '--help'], ['export', '--help']]) {
      expect((await runCli(argv, { cwd: dir, env })).code, argv.join(' ')).toBe(0);
    }
  });
});

describe('--print-config', () => {
  it('shows each setting with its source, masks credentials, sends nothing and exits 0', async () => {
    const { dir } = await fixture();
    await writeFile(join(dir, 'nightly.json'), JSON.stringify({ maxFailures: '5%', env: 'us-sandbox' }));
    const env = { ZUORA_USAGE_CONFIG: 'nightly.json', ZUORA_USAGE_CONCURRENCY: '16', ZUORA_CLIENT_ID: 'client-0123456789', ZUORA_CLIENT_SECRET: 'very-secret-value' };
    const run = await runCli(['usage-corrections.csv', '--print-config', '--resume'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ {2}concurrency +16 +env ZUORA_USAGE_CONCURRENCY$/m);
    expect(run.stdout).toMatch(/^ {2}max-failures +5% +file \.\/nightly\.json: maxFailures$/m);
    expect(run.stdout).toMatch(/^ {2}resume +true +flag$/m);
    expect(run.stdout).toMatch(/^ {2}timeout +30000 +default$/m);
    expect(run.stdout).toContain('Target: https://rest.test.zuora.com');
    expect(run.stdout + run.stderr).not.toContain('very-secret-value');
    expect(run.stdout).not.toContain('client-0123456789');
    expect(await readdirNames(dir)).toEqual(['nightly.json', 'usage-corrections.csv']);
  });

  it('without an input and beside a flag that is no option, still shows the settings and names the flag', async () => {
    const { dir } = await fixture();
    const run = await runCli(['--print-config', '--concurency', '3', '-c', '2'], { cwd: dir, env: { ZUORA_ENV: 'local' } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^ {2}input +\(none given\)$/m);
    expect(run.stdout).toMatch(/^ {2}concurrency +2 +flag$/m);
    expect(run.stdout).toContain('Target: the built-in simulator (local)');
    expect(run.stdout).toContain('Not options (a run would stop with exit 1): --concurency');
  });
});

describe('a start failure after the settings are read', () => {
  it('a flag yargs refuses is reported in the --log-format the config file gives (text, not the json of a pipe)', async () => {
    const { dir } = await fixture();
    await writeFile(join(dir, '.zuora-usage-update.json'), JSON.stringify({ logFormat: 'text', env: 'local' }));
    // ZUORA_USAGE_LOG_FORMAT empty counts as unset: without the file, a pipe gets json.
    const run = await runCli(['usage-corrections.csv', '--concurency', '3'], { cwd: dir, env: { ZUORA_USAGE_LOG_FORMAT: '' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('zuora-usage-update: Unknown option --concurency: did you mean --concurrency?');
    expect(run.stderr).not.toMatch(/^\{/m);
  });
});

describe('the option table of config/ matches --help', () => {
  it('every main option is a setting, with the default --help shows', async () => {
    const help = (await runCli(['--help'])).stdout;
    const flags = [...new Set(help.match(/(?<=\s)--[a-z][a-z0-9-]*(?=[\s,])/g))].map((f) => f.slice(2));
    const own = new Set(['version', 'help', 'config', 'print-config', 'no-gzip', 'no-reject-unknown-fields']);
    expect(flags.filter((f) => !own.has(f)).sort()).toEqual(SETTINGS.map((s) => s.name).sort());
    // Defaults yargs applies itself (numbers, booleans, a value off a fixed list) must read the same in both.
    const applied = SETTINGS.filter((s) => typeof s.default !== 'string' || s.choices?.includes(s.default) === true);
    expect(applied.map((s) => s.name)).toContain('concurrency');
    for (const setting of applied) {
      // The option's own row (a flag named in the usage text or another option's words is not it), to the next row.
      const start = help.search(new RegExp(`\\n(?: {6}| {2}-[a-z], )--${setting.name}\\s`));
      expect(start, setting.name).toBeGreaterThan(0);
      const entry = help.slice(start + 1).split(/\n(?= {2}-| {6}--|\n)/)[0] ?? '';
      expect(/\[default: "?([^\]"]*)"?\]/.exec(entry)?.[1], setting.name).toBe(String(setting.default));
    }
  });
});

async function readdirNames(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  return (await readdir(dir)).sort();
}

describe('summary JSON (schema 1) and the "run finished" record', () => {
  it('a run with problems: exit 2, the documented shape, the same counts in the last log line, no secret anywhere', async () => {
    sim = await createSimulator();
    const { dir, input } = await fixture('usage-corrections-with-problems.csv');
    const summaryPath = join(dir, 'summary.json');
    const run = await runCli([input, '--summary-json', summaryPath, '--entity-ids', 'e-1', '--log-format', 'json'], { env: demoEnv(sim) });
    expect(run.code).toBe(2);
    const text = await readFile(summaryPath, 'utf8');
    const summary = JSON.parse(text) as Record<string, unknown>;
    expect(summary).toMatchObject({
      schema: 1,
      tool: 'zuora-usage-update',
      status: 'completed',
      exitCode: 2,
      target: { kind: 'url', baseUrl: sim.url, entityIds: 'e-1', orgIds: null, zuoraVersion: null },
      counts: { failed: 3 },
      requests: { reads: 0, tokens: 1 },
      outputs: { summaryJson: summaryPath },
      error: null,
    });
    expect(String(summary.nextStep)).toContain('failures');
    const record = lastLogRecord(run.stderr);
    expect(record).toMatchObject({ msg: 'run finished', level: 40, exitCode: 2, counts: summary.counts, rows: summary.rows });
    for (const out of [text, run.stderr]) expect(out).not.toContain(DEMO_CREDENTIALS.clientSecret);
  });

  it('a run that cannot start still ends with the record and a not-started summary', async () => {
    const { dir, input } = await fixture();
    const summaryPath = join(dir, 'summary.json');
    const run = await runCli([input, '--summary-json', summaryPath, '--concurrency', '0', '--env', 'local', '--log-format', 'json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(await readFile(summaryPath, 'utf8'))).toMatchObject({ schema: 1, status: 'not-started', exitCode: 1, error: { code: 'BAD_OPTION' } });
    expect(lastLogRecord(run.stderr)).toMatchObject({ msg: 'run finished', level: 50, exitCode: 1 });
  });
});

describe('a run with nothing but the documented variables (env -i)', () => {
  it.each([
    ['the built-in simulator', (): Record<string, string> => ({ ZUORA_ENV: 'local' })],
    ['a simulator over HTTP with an OAuth client', (): Record<string, string> => demoEnv(sim as Simulator)],
  ])('%s: PATH, HOME and ZUORA_* only', async (_, variables) => {
    sim = await createSimulator();
    const { dir } = await fixture();
    const env = { PATH: '/usr/bin:/bin', HOME: dir, ZUORA_USAGE_MAX_FAILURES: '5%', ZUORA_USAGE_SUMMARY_JSON: 'summary.json', ...variables(), ...guardVariables() };
    const args = ['-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, CLI, 'usage-corrections.csv'];
    const run = await runProcess('/usr/bin/env', args, { cwd: dir, env: {} });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'))).toMatchObject({ schema: 1, exitCode: 0 });
    expect(lastLogRecord(run.stderr)).toMatchObject({ msg: 'run finished', exitCode: 0 });
  });
});

describe('--version', () => {
  it('prints the package version', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
  });
});
