import { Parser } from 'yargs/helpers';
import { RunError } from '../errors.js';
import { readConfigFile } from './read-config-file.js';
import { readEnvironment } from './read-environment.js';
import { camelCaseOf, CONFIG_FLAG, PRINT_CONFIG_FLAG, SETTINGS, settingNamed, type Setting, type SettingValue } from './settings.js';

/** Where an effective setting came from, highest precedence first. */
export type SettingSource =
  | { kind: 'flag' }
  | { kind: 'env'; variable: string }
  | { kind: 'file'; path: string; key: string }
  | { kind: 'default' };

export interface EffectiveSetting {
  setting: Setting;
  /** Undefined when the default applies. */
  value: SettingValue | undefined;
  source: SettingSource;
}

export interface ResolvedSettings {
  /** The arguments for yargs: the user's, without `--config`/`--print-config`, plus a flag per setting from the environment or the file. */
  argv: string[];
  /** False for `--help`, `--version`, `simulate` and `export` (its target comes from flags, ZUORA_ENV or ZUORA_BASE_URL): the arguments are passed on untouched, nothing is read. */
  applied: boolean;
  /** `--print-config` was given: show `effective` and exit 0 instead of running. */
  printConfig: boolean;
  /** The config file read, if any. */
  configFile?: string;
  /** The input file, when given. */
  input?: string;
  /** Every setting with its value and source, in `--help` order. */
  effective: EffectiveSetting[];
  /** Flags that are no option: yargs refuses them in a run; `--print-config` names them. */
  unknownFlags: string[];
}

/** `--env` and `--base-url` choose one thing, the target: the level that gives either decides both. */
const TARGET = new Set(['env', 'base-url']);

/**
 * Merges the settings of the main command from flags, the environment (`ZUORA_USAGE_<OPTION>`,
 * `ZUORA_ENV`, `ZUORA_BASE_URL`) and the JSON config file, in that precedence, and hands the result
 * to yargs as flags, so the option building and its checks stay the same whatever the source. The
 * target keeps its own environment variables, which the option building reads itself (its messages
 * name them); a target in the config file is used only when neither flags nor environment give one.
 *
 * Throws RunError('BAD_OPTION') naming the variable or the file and key.
 */
export function resolveSettings(argv: string[], env: NodeJS.ProcessEnv, cwd: string): ResolvedSettings {
  const beforeTerminator = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  const passThrough = argv[0] === 'simulate' || argv[0] === 'export' || beforeTerminator.some((arg) => ['--help', '-h', '--version'].includes(arg));
  if (passThrough) return { argv, applied: false, printConfig: false, effective: [], unknownFlags: [] };

  const parsed = Parser(argv, {
    boolean: [...SETTINGS.filter((s) => s.type === 'boolean').map((s) => s.name), PRINT_CONFIG_FLAG],
    string: [...SETTINGS.filter((s) => s.type === 'string').map((s) => s.name), CONFIG_FLAG],
    alias: Object.fromEntries(SETTINGS.filter((s) => s.alias).map((s) => [s.name, [s.alias as string]])),
  });
  const flagValues = new Map<string, SettingValue>();
  const unknownFlags: string[] = [];
  const ownFlags = [CONFIG_FLAG, PRINT_CONFIG_FLAG].flatMap((flag) => [flag, camelCaseOf(flag)]);
  for (const [key, value] of Object.entries(parsed)) {
    const setting = settingNamed(key);
    if (setting && !flagValues.has(setting.name)) flagValues.set(setting.name, value as SettingValue);
    else if (!setting && key !== '_' && !ownFlags.includes(key) && !/[A-Z]/.test(key)) unknownFlags.push(key.length === 1 ? `-${key}` : `--${key}`);
  }
  const configFlag = parsed[CONFIG_FLAG] as string | string[] | undefined;
  if (configFlag !== undefined && (typeof configFlag !== 'string' || configFlag.trim() === '')) {
    throw new RunError('BAD_OPTION', '--config needs one file name, e.g. --config zuora-usage-update.json.');
  }

  const fromEnv = readEnvironment(env);
  const file = readConfigFile(configFlag ?? fromEnv.configFile, cwd, env);
  const targetLevel = [...TARGET].some((name) => flagValues.has(name))
    ? 'flag'
    : fromEnv.values.some((v) => TARGET.has(v.setting.name))
      ? 'env'
      : 'file';

  const effective: EffectiveSetting[] = [];
  const injected: string[] = [];
  for (const setting of SETTINGS) {
    const isTarget = TARGET.has(setting.name);
    const envValue = fromEnv.values.find((v) => v.setting === setting);
    const fileValue = file?.values.find((v) => v.setting === setting);
    if (flagValues.has(setting.name)) {
      effective.push({ setting, value: flagValues.get(setting.name), source: { kind: 'flag' } });
    } else if (envValue && (!isTarget || targetLevel === 'env')) {
      effective.push({ setting, value: envValue.value, source: { kind: 'env', variable: envValue.variable } });
      // The option building reads the target's own variables: as a flag it would outrank ZUORA_BASE_URL.
      if (!isTarget) injected.push(...asFlag(setting, envValue.value));
    } else if (fileValue && file && (!isTarget || targetLevel === 'file')) {
      effective.push({ setting, value: fileValue.value, source: { kind: 'file', path: file.path, key: fileValue.key } });
      injected.push(...asFlag(setting, fileValue.value));
    } else {
      effective.push({ setting, value: undefined, source: { kind: 'default' } });
    }
  }

  const userArgs = withoutConfigFlags(argv);
  const end = userArgs.includes('--') ? userArgs.indexOf('--') : userArgs.length;
  return {
    argv: [...userArgs.slice(0, end), ...injected, ...userArgs.slice(end)],
    applied: true,
    printConfig: parsed[PRINT_CONFIG_FLAG] === true,
    configFile: file?.path,
    input: parsed._[0] === undefined ? undefined : String(parsed._[0]),
    effective,
    unknownFlags,
  };
}

/** One flag in the `--name=value` form, so a value starting with `-` is never read as a flag. */
function asFlag(setting: Setting, value: SettingValue): string[] {
  if (setting.type === 'boolean') return [value ? `--${setting.name}` : `--no-${setting.name}`];
  return [`--${setting.name}=${String(value)}`];
}

/** The arguments without `--config <file>` and `--print-config`, which only this stage reads. */
function withoutConfigFlags(argv: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return [...kept, ...argv.slice(i)];
    if (arg === `--${CONFIG_FLAG}`) i++;
    else if (arg.startsWith(`--${CONFIG_FLAG}=`)) continue;
    else if (arg === `--${PRINT_CONFIG_FLAG}` || arg.startsWith(`--${PRINT_CONFIG_FLAG}=`)) continue;
    else kept.push(arg);
  }
  return kept;
}
