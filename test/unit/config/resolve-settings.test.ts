import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { mainOptions } from '../../../src/cli/command-line.js';
import { printConfig } from '../../../src/config/print-config.js';
import { resolveSettings as resolveFlags, type ResolvedSettings } from '../../../src/config/resolve-settings.js';
import { SETTINGS } from '../../../src/config/settings.js';
import { RunError } from '../../../src/errors.js';
import { tempDir } from '../../helpers/temp-dir.js';

let cwd: string;
beforeEach(async () => {
  cwd = await tempDir('zuu-config-');
});

const writeConfig = (content: unknown, name = '.zuora-usage-update.json'): Promise<void> =>
  writeFile(join(cwd, name), typeof content === 'string' ? content : JSON.stringify(content));

/** The settings of a command line: parsed by the main command's own yargs options and taken before yargs' checks, as the CLI does. */
function resolveSettings(argv: string[], env: NodeJS.ProcessEnv, dir: string): ResolvedSettings {
  let flags: Record<string, unknown> = {};
  const capture = (parsed: object): void => {
    flags = { ...parsed };
  };
  mainOptions(yargs(argv)).middleware(capture, true).exitProcess(false).fail(() => undefined).parseSync();
  return resolveFlags(flags, env, dir);
}

/** The values a run gets, by long name, without the camelCase and alias copies. */
const given = (resolved: ResolvedSettings): Record<string, unknown> =>
  Object.fromEntries(Object.entries(resolved.args).filter(([key]) => SETTINGS.some((s) => s.name === key)));

const sourceOf = (resolved: ResolvedSettings, name: string): string | undefined => resolved.effective.find((e) => e.setting.name === name)?.source.kind;
const valueOf = (resolved: ResolvedSettings, name: string): unknown => resolved.effective.find((e) => e.setting.name === name)?.value;

function badOption(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RunError);
    expect((error as RunError).code).toBe('BAD_OPTION');
    return (error as Error).message;
  }
  throw new Error('expected a BAD_OPTION error');
}

describe('precedence: flags > environment > config file > defaults', () => {
  it.each([
    ['the default', [], {}, undefined, 'default', undefined],
    ['the config file', [], {}, { concurrency: 4 }, 'file', 4],
    ['the environment over the file', [], { ZUORA_USAGE_CONCURRENCY: '16' }, { concurrency: 4 }, 'env', 16],
    ['a flag over both', ['-c', '2'], { ZUORA_USAGE_CONCURRENCY: '16' }, { concurrency: 4 }, 'flag', 2],
    ['a long flag over both', ['--concurrency=3'], { ZUORA_USAGE_CONCURRENCY: '16' }, { concurrency: 4 }, 'flag', 3],
  ] as const)('concurrency from %s', async (_, flags, env, file, source, value) => {
    if (file) await writeConfig(file);
    const resolved = resolveSettings(['in.csv', ...flags], env, cwd);
    expect(sourceOf(resolved, 'concurrency')).toBe(source);
    expect(valueOf(resolved, 'concurrency')).toBe(value);
    // The run gets one value, under every name yargs gives the option.
    const expected = value ?? 8;
    expect(resolved.args).toMatchObject({ concurrency: expected, c: expected });
  });

  it('gives the run every kind of value with its type, defaults filled in', async () => {
    await writeConfig({ 'dry-run': true, trackPrefix: '-nightly', 'date-format': 'DD/MM/YYYY' });
    const resolved = resolveSettings(
      ['in.csv'],
      { ZUORA_USAGE_MAX_FAILURES: '5%', ZUORA_USAGE_GZIP: 'false', ZUORA_USAGE_RESUME: 'yes', ZUORA_USAGE_LOG_LEVEL: 'warn' },
      cwd,
    );
    expect(given(resolved)).toEqual({
      encoding: 'utf-8',
      'date-format': 'DD/MM/YYYY',
      'decimal-comma': false,
      'ignore-unknown-columns': false,
      'dry-run': true,
      preview: false,
      'allow-times-1000': false,
      verify: false,
      'skip-unchanged': false,
      resume: true,
      overwrite: false,
      concurrency: 8,
      'max-attempts': 6,
      timeout: 30000,
      'max-failures': '5%',
      'track-prefix': '-nightly',
      gzip: false,
      transport: 'put',
      'reject-unknown-fields': true,
      'log-level': 'warn',
    });
    expect(resolved.args).toMatchObject({ dryRun: true, trackPrefix: '-nightly', maxFailures: '5%', logLevel: 'warn' });
  });

  it('a negated flag beats the environment', () => {
    const resolved = resolveSettings(['--no-gzip', 'in.csv', '--', 'x'], { ZUORA_USAGE_GZIP: 'true', ZUORA_USAGE_TIMEOUT: '5000' }, cwd);
    expect(sourceOf(resolved, 'gzip')).toBe('flag');
    expect(valueOf(resolved, 'gzip')).toBe(false);
    expect(resolved.args).toMatchObject({ gzip: false, timeout: 5000 });
    expect(resolved.input).toBe('in.csv');
  });

  it('every option of the main command is a setting, those added after config/ was written included', async () => {
    await writeConfig({ batchSize: 20, encoding: 'latin1' });
    const resolved = resolveSettings(['in.csv'], { ZUORA_USAGE_TRANSPORT: 'actions' }, cwd);
    expect(resolved.args).toMatchObject({ encoding: 'latin1', transport: 'actions', 'batch-size': 20, batchSize: 20 });
    expect(badOption(() => resolveSettings(['in.csv'], { ZUORA_USAGE_TRANSPORT: 'soap' }, cwd))).toContain('must be one of put, actions');
  });

  it('--settle comes from a flag, ZUORA_USAGE_SETTLE or the config file like every option', async () => {
    expect(resolveSettings(['in.csv'], {}, cwd).args.settle).toBeUndefined();
    expect(resolveSettings(['in.csv'], { ZUORA_USAGE_SETTLE: '130' }, cwd).args.settle).toBe(130);
    await writeConfig({ settle: 90 });
    expect(resolveSettings(['in.csv'], {}, cwd).args.settle).toBe(90);
    expect(resolveSettings(['in.csv', '--settle', '5'], { ZUORA_USAGE_SETTLE: '130' }, cwd).args.settle).toBe(5);
    expect(badOption(() => resolveSettings(['in.csv'], { ZUORA_USAGE_SETTLE: 'soon' }, cwd))).toMatch(/ZUORA_USAGE_SETTLE must be a number/);
  });

  it('an empty variable counts as unset', () => {
    const resolved = resolveSettings(['in.csv'], { ZUORA_USAGE_CONCURRENCY: '', ZUORA_USAGE_OUT: '  ' }, cwd);
    expect(sourceOf(resolved, 'concurrency')).toBe('default');
    expect(sourceOf(resolved, 'out')).toBe('default');
    expect(resolved.args.concurrency).toBe(8);
    expect(resolved.args.out).toBeUndefined();
  });
});

describe('the target (--env, --base-url) is decided by the highest level that gives either', () => {
  it('a file target is used when neither flags nor environment give one', async () => {
    await writeConfig({ env: 'us-sandbox' });
    expect(resolveSettings(['in.csv'], {}, cwd).args.env).toBe('us-sandbox');
  });

  it('ZUORA_BASE_URL beats a file env: the run gets no target, the option building reads the variable', async () => {
    await writeConfig({ env: 'us-sandbox' });
    const resolved = resolveSettings(['in.csv'], { ZUORA_BASE_URL: 'http://127.0.0.1:9' }, cwd);
    expect(resolved.args).not.toHaveProperty('env');
    expect(resolved.args).not.toHaveProperty('base-url');
    expect(sourceOf(resolved, 'base-url')).toBe('env');
    expect(sourceOf(resolved, 'env')).toBe('default');
  });

  it('--env beats a file base-url (which would otherwise outrank it as a URL)', async () => {
    await writeConfig({ 'base-url': 'https://rest.zuora.com' });
    const resolved = resolveSettings(['in.csv', '--env', 'local'], {}, cwd);
    expect(resolved.args.env).toBe('local');
    expect(resolved.args).not.toHaveProperty('base-url');
    expect(sourceOf(resolved, 'base-url')).toBe('default');
  });
});

describe('environment variables', () => {
  it.each([
    [{ ZUORA_USAGE_CONCURENCY: '3' }, /ZUORA_USAGE_CONCURENCY is not a setting.*did you mean ZUORA_USAGE_CONCURRENCY/],
    [{ ZUORA_USAGE_ENV: 'local' }, /ZUORA_USAGE_ENV is not read: the target comes from ZUORA_ENV/],
    [{ ZUORA_USAGE_CLIENT_SECRET: 'x' }, /credentials come from ZUORA_CLIENT_SECRET/],
    [{ ZUORA_USAGE_CONCURRENCY: 'many' }, /ZUORA_USAGE_CONCURRENCY must be a number; got "many"/],
    [{ ZUORA_USAGE_DRY_RUN: 'maybe' }, /ZUORA_USAGE_DRY_RUN must be true or false/],
    [{ ZUORA_USAGE_LOG_LEVEL: 'verbose' }, /ZUORA_USAGE_LOG_LEVEL must be one of fatal, error/],
    [{ ZUORA_ENV: 'us-prod' }, /ZUORA_ENV must be one of us-production/],
  ])('%o is refused', (env, message) => {
    expect(badOption(() => resolveSettings(['in.csv'], env, cwd))).toMatch(message);
  });
});

describe('the config file', () => {
  it('is read from --config, else ZUORA_USAGE_CONFIG, else ./.zuora-usage-update.json', async () => {
    await writeConfig({ timeout: 1000 });
    await writeConfig({ timeout: 2000 }, 'named.json');
    await writeConfig({ timeout: 3000 }, 'from-env.json');
    expect(valueOf(resolveSettings(['in.csv'], {}, cwd), 'timeout')).toBe(1000);
    expect(valueOf(resolveSettings(['in.csv'], { ZUORA_USAGE_CONFIG: 'from-env.json' }, cwd), 'timeout')).toBe(3000);
    const named = resolveSettings(['in.csv', '--config', 'named.json'], { ZUORA_USAGE_CONFIG: 'from-env.json' }, cwd);
    expect(valueOf(named, 'timeout')).toBe(2000);
    expect(named.configFile).toBe(join(cwd, 'named.json'));
    expect(named.args.timeout).toBe(2000);
  });

  it('no file is fine; a named file that is missing is not', () => {
    expect(resolveSettings(['in.csv'], {}, cwd).configFile).toBeUndefined();
    expect(badOption(() => resolveSettings(['in.csv', '--config=nope.json'], {}, cwd))).toMatch(/Cannot read the config file .*nope\.json/);
  });

  it.each([
    ['not JSON', '{concurrency: 4}', /is not valid JSON/],
    ['not an object', '[1, 2]', /must hold one JSON object/],
    ['an unknown key', { concurency: 4 }, /key "concurency": not a setting \(did you mean concurrency\?\)/],
    ['a positional as key', { input: 'x.csv' }, /key "input": not a setting/],
    ['a number as string', { concurrency: '16' }, /key "concurrency": must be a number; got "16" \(a string\)/],
    ['a boolean as string', { resume: 'true' }, /key "resume": must be a boolean/],
    ['null', { out: null }, /key "out": must be a string; got null \(null\)/],
    ['a value off the list', { 'date-format': 'DD-MM-YYYY' }, /key "date-format": must be one of MM\/DD\/YYYY, DD\/MM\/YYYY, DD.MM.YYYY, YYYY\/MM\/DD/],
    ['both spellings of one option', { maxAttempts: 3, 'max-attempts': 4 }, /"maxAttempts" sets the same option/],
    ['a client secret', { concurrency: 'wrong too', clientSecret: 'abc' }, /key "clientSecret": credentials are never read from a file/],
    ['an access token', { ZUORA_ACCESS_TOKEN: 'abc' }, /key "ZUORA_ACCESS_TOKEN": credentials are never read/],
    ['a password', { password: 'abc' }, /key "password": credentials are never read/],
  ])('%s is refused, naming the file and key', async (_, content, message) => {
    await writeConfig(content);
    expect(badOption(() => resolveSettings(['in.csv'], {}, cwd))).toMatch(message);
  });

  it('refuses a file holding the value of a credential variable, without repeating it', async () => {
    await writeConfig({ 'track-prefix': 's3cr3t-value-1' });
    const message = badOption(() => resolveSettings(['in.csv'], { ZUORA_CLIENT_SECRET: 's3cr3t-value-1' }, cwd));
    expect(message).toMatch(/key "track-prefix": holds the value of a credential/);
    expect(message).not.toContain('s3cr3t-value-1');
  });

  it('takes a key in camelCase as yargs spells it, digits included', async () => {
    await writeConfig({ allowTimes1000: true, skipUnchanged: true });
    const resolved = resolveSettings(['in.csv'], {}, cwd);
    expect(resolved.args).toMatchObject({ 'allow-times-1000': true, allowTimes1000: true, skipUnchanged: true });
    expect(sourceOf(resolved, 'allow-times-1000')).toBe('file');
  });

  it('takes a number for max-failures and a BOM before the JSON', async () => {
    await writeConfig('\uFEFF{"maxFailures": 5}');
    expect(resolveSettings(['in.csv'], {}, cwd).args.maxFailures).toBe('5');
  });
});

describe('--config and --print-config', () => {
  it('are read by the settings stage and are no setting of the run', async () => {
    await writeConfig({ timeout: 2000 }, 'c.json');
    const resolved = resolveSettings(['--print-config', 'in.csv', '--config', 'c.json', '-o', 'r.csv'], {}, cwd);
    expect(resolved).toMatchObject({ printConfig: true, input: 'in.csv', configFile: join(cwd, 'c.json'), unknownFlags: [] });
    expect(sourceOf(resolved, 'out')).toBe('flag');
    expect(resolved.effective.map((e) => e.setting.name)).not.toContain('config');
    expect(resolved.args).not.toHaveProperty('config');
  });

  it('--config given twice or empty is a bad option', () => {
    expect(badOption(() => resolveSettings(['in.csv', '--config', 'a.json', '--config', 'b.json'], {}, cwd))).toMatch(/--config needs one file name/);
    expect(badOption(() => resolveSettings(['in.csv', '--config='], {}, cwd))).toMatch(/--config needs one file name/);
  });
});

describe('printConfig', () => {
  it('names flags that are no option, which a run would refuse', () => {
    const resolved = resolveSettings(['in.csv', '--concurency', '3', '-x', '--max-attempts', '2'], {}, cwd);
    expect(resolved.unknownFlags).toEqual(['--concurency', '-x']);
    expect(printConfig(resolved, {}, cwd)).toContain('Not options (a run would stop with exit 1): --concurency, -x');
  });


  it('shows each value with its source and masks every credential', async () => {
    await writeConfig({ maxFailures: '5%' });
    const env = {
      ZUORA_USAGE_CONCURRENCY: '16',
      ZUORA_BASE_URL: 'https://rest.test.zuora.com/?access_token=leaked-in-url',
      ZUORA_CLIENT_ID: 'client-id-0123456789abcd',
      ZUORA_CLIENT_SECRET: 'the-client-secret',
      ZUORA_ACCESS_TOKEN: 'the-bearer-token',
    };
    const text = printConfig(resolveSettings(['in.csv', '--resume'], env, cwd), env, cwd);
    expect(text).toMatch(/^ {2}concurrency +16 +env ZUORA_USAGE_CONCURRENCY$/m);
    expect(text).toMatch(/^ {2}max-failures +5% +file \.\/\.zuora-usage-update\.json: maxFailures$/m);
    expect(text).toMatch(/^ {2}resume +true +flag$/m);
    expect(text).toMatch(/^ {2}max-attempts +6 +default$/m);
    expect(text).toMatch(/^ {2}base-url +https:\/\/rest\.test\.zuora\.com \(user, query or fragment hidden\) +env ZUORA_BASE_URL$/m);
    expect(text).toContain('ZUORA_CLIENT_ID      …abcd (24 characters)');
    expect(text).toContain('ZUORA_CLIENT_SECRET  set (hidden)');
    for (const secret of ['leaked-in-url', 'the-client-secret', 'the-bearer-token', 'client-id-0123456789']) expect(text).not.toContain(secret);
  });

  it('shows the client id by its last 4 characters, as the README says, and a short one by its length only', () => {
    const long = { ZUORA_CLIENT_ID: '3f2a9c1e-77b0-4d4e-9a51-0c6d8e2f5b7a' };
    expect(printConfig(resolveSettings(['in.csv'], long, cwd), long, cwd)).toContain('ZUORA_CLIENT_ID      …5b7a (36 characters)');
    const short = { ZUORA_CLIENT_ID: 'abc123' };
    const text = printConfig(resolveSettings(['in.csv'], short, cwd), short, cwd);
    expect(text).toContain('ZUORA_CLIENT_ID      set (6 characters: too short to show its last 4)');
    expect(text).not.toContain('c123');
  });
});

describe('a value option given twice on the command line', () => {
  const valueSettings = SETTINGS.filter((s) => s.type !== 'boolean');
  const sample = (name: string): string => (name === 'concurrency' || name === 'max-attempts' || name === 'timeout' || name === 'batch-size' ? '2' : 'a');

  it.each(valueSettings.map((s) => [s.name]))('--%s twice is a bad option naming it', (name) => {
    const message = badOption(() => resolveSettings(['in.csv', `--${name}`, sample(name), `--${name}=${sample(name)}`], {}, cwd));
    expect(message).toContain(`--${name}`);
    expect(message).toContain('give it once');
  });

  it('counts a short and a long flag of one option as a repeat', () => {
    expect(badOption(() => resolveSettings(['in.csv', '-o', 'a.csv', '--out', 'b.csv'], {}, cwd))).toMatch(/--out \(-o\) is given 2 times \("a.csv", "b.csv"\)/);
  });

  it('takes a flag plus the same setting in the environment and the config file as precedence, not a repeat', async () => {
    await writeConfig({ out: 'file.csv', transport: 'actions' });
    const resolved = resolveSettings(['in.csv', '--out', 'flag.csv', '--transport', 'put'], { ZUORA_USAGE_OUT: 'env.csv', ZUORA_USAGE_TRANSPORT: 'actions' }, cwd);
    expect(valueOf(resolved, 'out')).toBe('flag.csv');
    expect(resolved.args).toMatchObject({ out: 'flag.csv', o: 'flag.csv' });
    expect(valueOf(resolved, 'transport')).toBe('put');
  });

  it('lets a switch be given twice (it says the same thing)', () => {
    expect(() => resolveSettings(['in.csv', '--verify', '--verify'], {}, cwd)).not.toThrow();
  });
});
