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
  /**
   * What the main command runs with: every setting given at some level, else its default, under each
   * name yargs gives a flag (`max-attempts`, `maxAttempts`, and the short alias). A target given only
   * in the environment is left out: the option building reads `ZUORA_ENV`/`ZUORA_BASE_URL` itself, so
   * its messages name the variable.
   */
  args: Record<string, SettingValue>;
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

/** Keys of yargs' parse that are no flag. */
const NOT_FLAGS = new Set(['_', '$0', 'input']);

/**
 * Merges the settings of the main command from its flags, the environment (`ZUORA_USAGE_<OPTION>`,
 * `ZUORA_ENV`, `ZUORA_BASE_URL`) and the JSON config file, in that precedence, then the defaults:
 * the one place that decides what a run gets and where it came from. A target in the config file is
 * used only when neither flags nor environment give one.
 *
 * @param flags the command line as yargs parsed it, before its checks and with no default applied
 *   (yargs is given the defaults as text only), so that a flag given is told from a default
 * @param only the settings a command shares with the main command (`export`: its target, limits and
 *   log level), when it is not the main command; the others, and flags that are no setting, are its own
 * Throws RunError('BAD_OPTION') naming the flag, the variable, or the file and key.
 */
export function resolveSettings(flags: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv, cwd: string, only?: ReadonlySet<string>): ResolvedSettings {
  const settings = only === undefined ? SETTINGS : SETTINGS.filter((setting) => only.has(setting.name));
  // `export` refuses a repeated flag itself, for its own flags and these alike (cli/export-command.ts).
  if (only === undefined) checkRepeatedFlags(flags);
  const flagValues = new Map<string, SettingValue>();
  const unknownFlags: string[] = [];
  const ownFlags = [CONFIG_FLAG, PRINT_CONFIG_FLAG].flatMap((flag) => [flag, camelCaseOf(flag)]);
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined || NOT_FLAGS.has(key)) continue;
    const setting = settingNamed(key);
    if (setting && settings.includes(setting)) {
      if (!flagValues.has(setting.name)) flagValues.set(setting.name, value as SettingValue);
    } else if (!setting && only === undefined && !ownFlags.includes(key) && !/[A-Z]/.test(key)) unknownFlags.push(key.length === 1 ? `-${key}` : `--${key}`);
  }
  const configFlag = flags[CONFIG_FLAG] as string | string[] | undefined;
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
  const args: Record<string, SettingValue> = {};
  for (const setting of settings) {
    const isTarget = TARGET.has(setting.name);
    const envValue = fromEnv.values.find((v) => v.setting === setting);
    const fileValue = file?.values.find((v) => v.setting === setting);
    let entry: EffectiveSetting;
    if (flagValues.has(setting.name)) {
      entry = { setting, value: flagValues.get(setting.name), source: { kind: 'flag' } };
    } else if (envValue && (!isTarget || targetLevel === 'env')) {
      entry = { setting, value: envValue.value, source: { kind: 'env', variable: envValue.variable } };
    } else if (fileValue && file && (!isTarget || targetLevel === 'file')) {
      entry = { setting, value: fileValue.value, source: { kind: 'file', path: file.path, key: fileValue.key } };
    } else {
      entry = { setting, value: undefined, source: { kind: 'default' } };
    }
    effective.push(entry);
    // The option building reads the target's own variables, and names them in its messages.
    const value = isTarget && entry.source.kind === 'env' ? undefined : (entry.value ?? setting.applied);
    if (value !== undefined) for (const name of namesOf(setting)) args[name] = value;
  }

  const input = flags.input ?? (flags._ as unknown[] | undefined)?.[0];
  return {
    args,
    printConfig: flags[PRINT_CONFIG_FLAG] === true,
    configFile: file?.path,
    input: input === undefined ? undefined : String(input),
    effective,
    unknownFlags,
  };
}

/** The keys yargs gives an option: its name, its camelCase and its short alias. */
function namesOf(setting: Setting): string[] {
  return [setting.name, camelCaseOf(setting.name), ...(setting.alias ? [setting.alias] : [])];
}

/**
 * A value option given twice on the command line (`--out a.csv --out b.csv`, `-o a -o b`) is a bad
 * option (SPEC "Command"): which one was meant cannot be known, and yargs would hand the run an array.
 * Options taking several values take them comma-separated, once. Switches (`--verify --verify`) say the same twice.
 */
function checkRepeatedFlags(flags: Readonly<Record<string, unknown>>): void {
  for (const setting of SETTINGS) {
    if (setting.type === 'boolean') continue;
    const value = flags[setting.name];
    if (!Array.isArray(value)) continue;
    const flag = `--${setting.name}${setting.alias ? ` (-${setting.alias})` : ''}`;
    throw new RunError(
      'BAD_OPTION',
      `${flag} is given ${value.length} times (${value.map((v) => JSON.stringify(String(v))).join(', ')}); give it once. ` +
        'Options that take several values take them comma-separated in one flag.',
    );
  }
}
