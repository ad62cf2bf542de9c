import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { printConfig } from '../../../src/config/print-config.js';
import { resolveSettings, type ResolvedSettings } from '../../../src/config/resolve-settings.js';
import { RunError } from '../../../src/errors.js';
import { tempDir } from '../../helpers/temp-dir.js';

let cwd: string;
beforeEach(async () => {
  cwd = await tempDir('zuu-config-');
});

const writeConfig = (content: unknown, name = '.zuora-usage-update.json'): Promise<void> =>
  writeFile(join(cwd, name), typeof content === 'string' ? content : JSON.stringify(content));

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
    // Exactly one concurrency reaches yargs (a repeated flag would become an array).
    const given = resolved.argv.filter((arg) => /^(-c|--concurrency)/.test(arg));
    expect(given).toHaveLength(source === 'default' ? 0 : 1);
    if (source === 'env' || source === 'file') expect(given).toEqual([`--concurrency=${value}`]);
  });

  it('turns every kind of value into the flag yargs expects', async () => {
    await writeConfig({ 'dry-run': true, trackPrefix: '-nightly', 'date-format': 'DD/MM/YYYY' });
    const resolved = resolveSettings(
      ['in.csv'],
      { ZUORA_USAGE_MAX_FAILURES: '5%', ZUORA_USAGE_GZIP: 'false', ZUORA_USAGE_RESUME: 'yes', ZUORA_USAGE_LOG_LEVEL: 'warn' },
      cwd,
    );
    expect(resolved.argv).toEqual([
      'in.csv',
      '--date-format=DD/MM/YYYY',
      '--dry-run',
      '--resume',
      '--max-failures=5%',
      '--track-prefix=-nightly',
      '--no-gzip',
      '--log-level=warn',
    ]);
  });

  it('a negated flag beats the environment, and the settings go before a -- terminator', () => {
    const resolved = resolveSettings(['--no-gzip', 'in.csv', '--', 'x'], { ZUORA_USAGE_GZIP: 'true', ZUORA_USAGE_TIMEOUT: '5000' }, cwd);
    expect(sourceOf(resolved, 'gzip')).toBe('flag');
    expect(valueOf(resolved, 'gzip')).toBe(false);
    expect(resolved.argv).toEqual(['--no-gzip', 'in.csv', '--timeout=5000', '--', 'x']);
  });

  it('every option of the main command is a setting, those added after config/ was written included', async () => {
    await writeConfig({ batchSize: 20, encoding: 'latin1' });
    const resolved = resolveSettings(['in.csv'], { ZUORA_USAGE_TRANSPORT: 'actions' }, cwd);
    expect(resolved.argv).toEqual(['in.csv', '--encoding=latin1', '--transport=actions', '--batch-size=20']);
    expect(badOption(() => resolveSettings(['in.csv'], { ZUORA_USAGE_TRANSPORT: 'soap' }, cwd))).toContain('must be one of put, actions');
  });

  it('--settle comes from a flag, ZUORA_USAGE_SETTLE or the config file like every option', async () => {
    expect(resolveSettings(['in.csv'], { ZUORA_USAGE_SETTLE: '130' }, cwd).argv).toEqual(['in.csv', '--settle=130']);
    await writeConfig({ settle: 90 });
    expect(resolveSettings(['in.csv'], {}, cwd).argv).toEqual(['in.csv', '--settle=90']);
    expect(resolveSettings(['in.csv', '--settle', '5'], { ZUORA_USAGE_SETTLE: '130' }, cwd).argv).toEqual(['in.csv', '--settle', '5']);
    expect(badOption(() => resolveSettings(['in.csv'], { ZUORA_USAGE_SETTLE: 'soon' }, cwd))).toMatch(/ZUORA_USAGE_SETTLE must be a number/);
  });

  it('an empty variable counts as unset', () => {
    const resolved = resolveSettings(['in.csv'], { ZUORA_USAGE_CONCURRENCY: '', ZUORA_USAGE_OUT: '  ' }, cwd);
    expect(sourceOf(resolved, 'concurrency')).toBe('default');
    expect(sourceOf(resolved, 'out')).toBe('default');
  });
});

describe('the target (--env, --base-url) is decided by the highest level that gives either', () => {
  it('a file target is used when neither flags nor environment give one', async () => {
    await writeConfig({ env: 'us-sandbox' });
    expect(resolveSettings(['in.csv'], {}, cwd).argv).toEqual(['in.csv', '--env=us-sandbox']);
  });

  it('ZUORA_BASE_URL beats a file env: nothing is injected, the option building reads the variable', async () => {
    await writeConfig({ env: 'us-sandbox' });
    const resolved = resolveSettings(['in.csv'], { ZUORA_BASE_URL: 'http://127.0.0.1:9' }, cwd);
    expect(resolved.argv).toEqual(['in.csv']);
    expect(sourceOf(resolved, 'base-url')).toBe('env');
    expect(sourceOf(resolved, 'env')).toBe('default');
  });

  it('--env beats a file base-url (which would otherwise outrank it as a URL)', async () => {
    await writeConfig({ 'base-url': 'https://rest.zuora.com' });
    const resolved = resolveSettings(['in.csv', '--env', 'local'], {}, cwd);
    expect(resolved.argv).toEqual(['in.csv', '--env', 'local']);
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
    expect(named.argv).toEqual(['in.csv', '--timeout=2000']);
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
    ['a value off the list', { 'date-format': 'YYYY/MM/DD' }, /key "date-format": must be one of MM\/DD\/YYYY, DD\/MM\/YYYY/],
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

  it('takes a number for max-failures and a BOM before the JSON', async () => {
    await writeConfig('\uFEFF{"maxFailures": 5}');
    expect(resolveSettings(['in.csv'], {}, cwd).argv).toEqual(['in.csv', '--max-failures=5']);
  });
});

describe('what is left alone', () => {
  it.each([[['--help']], [['in.csv', '-h']], [['--version']], [['simulate', '--port', '0']]])('%o: argv untouched, no file read', async (argv) => {
    await writeConfig('not json');
    const resolved = resolveSettings(argv, { ZUORA_USAGE_NOPE: '1' }, cwd);
    expect(resolved).toMatchObject({ argv, applied: false });
  });

  it('--config and --print-config are taken out of the arguments for yargs', async () => {
    await writeConfig({}, 'c.json');
    const resolved = resolveSettings(['--print-config', 'in.csv', '--config', 'c.json', '-o', 'r.csv'], {}, cwd);
    expect(resolved).toMatchObject({ argv: ['in.csv', '-o', 'r.csv'], printConfig: true, input: 'in.csv' });
    expect(sourceOf(resolved, 'out')).toBe('flag');
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
});
