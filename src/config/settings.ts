/**
 * The options of the main command that can also come from the environment or a config file, with
 * their types: what `resolveSettings` reads, checks and merges. They are read off the option table
 * (main-options.ts), the one home of names, types and choices, whose defaults come from DEFAULTS.
 */

import { editDistance } from '../text/edit-distance.js';
import { MAIN_OPTIONS } from './main-options.js';

export type SettingType = 'string' | 'number' | 'boolean';

/** A value as it reaches yargs: the type of its option. */
export type SettingValue = string | number | boolean;

export interface Setting {
  /** The long flag without `--`, as `--help` shows it (`max-failures`). Config file keys are this or its camelCase. */
  name: string;
  type: SettingType;
  /** The only accepted values, when the option has a fixed list. */
  choices?: readonly string[];
  /** Also accepted for a `string` option: a JSON number (`"max-failures": 5`). */
  numberAllowed?: boolean;
  /** The default as `--help` and `--print-config` show it: the value, or how the run chooses one. */
  default: SettingValue;
  /** The value a run gets when nothing gives one (DEFAULTS); undefined when the run works it out itself (`--out`, `--track-prefix`). */
  applied?: SettingValue;
  /** Environment variable, when it is not `ZUORA_USAGE_<NAME>` (the target keeps the names of the SPEC). */
  envName?: string;
  /** Short flag. */
  alias?: string;
}

/** What settings need of a yargs option definition. */
interface OptionDefinition {
  type: SettingType;
  choices?: readonly string[];
  alias?: string;
  default?: SettingValue;
  describe: string;
}

/** The target keeps the variables the SPEC names; every other setting is `ZUORA_USAGE_<OPTION>`. */
const TARGET_VARIABLES: Readonly<Record<string, string>> = { env: 'ZUORA_ENV', 'base-url': 'ZUORA_BASE_URL' };

/** Text options whose value is a number as often as not: a config file may write it as a JSON number. */
const NUMBER_AS_TEXT = new Set(['max-failures']);

/** A setting per main option, in `--help` order. */
export const SETTINGS: readonly Setting[] = Object.entries(MAIN_OPTIONS as Readonly<Record<string, OptionDefinition>>).map(([name, option]) => ({
  name,
  type: option.type,
  choices: option.choices,
  alias: option.alias,
  numberAllowed: NUMBER_AS_TEXT.has(name) || undefined,
  default: option.default ?? /\[default: ([^\]]+)\]/.exec(option.describe)?.[1] ?? 'not set',
  applied: option.default,
  envName: TARGET_VARIABLES[name],
}));

/** The prefix of every setting's environment variable but the target's. */
export const ENV_PREFIX = 'ZUORA_USAGE_';

/** Names the config file is looked up by (working directory) and pointed at (flag, environment). */
export const CONFIG_FILE_NAME = '.zuora-usage-update.json';
export const CONFIG_FLAG = 'config';
export const CONFIG_ENV = `${ENV_PREFIX}CONFIG`;
export const PRINT_CONFIG_FLAG = 'print-config';

/** Credentials: environment only, never a flag or a config file (they would show in `ps` or a repository). */
export const CREDENTIAL_VARIABLES = ['ZUORA_CLIENT_ID', 'ZUORA_CLIENT_SECRET', 'ZUORA_ACCESS_TOKEN'] as const;

/** The environment variable of a setting: `ZUORA_USAGE_MAX_FAILURES`, or the target's own name. */
export function envVariableOf(setting: Setting): string {
  return setting.envName ?? `${ENV_PREFIX}${setting.name.toUpperCase().replace(/-/g, '_')}`;
}

/** `max-failures` -> `maxFailures`: config files may use either spelling. */
export function camelCaseOf(name: string): string {
  // As yargs spells it: `allow-times-1000` -> `allowTimes1000`.
  return name.replace(/-(.)/g, (_, next: string) => next.toUpperCase());
}

/** The setting a flag, config key or yargs key (`maxAttempts`, `max-attempts`, `c`) stands for. */
export function settingNamed(key: string): Setting | undefined {
  return SETTINGS.find((s) => s.name === key || camelCaseOf(s.name) === key || s.alias === key);
}

/** The candidate closest to a misspelled name, if it is close enough to be a typo (about one edit per three letters). */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  return best !== undefined && best.distance <= Math.max(1, Math.floor(name.length / 3)) ? best.candidate : undefined;
}

/** `; did you mean X?` or nothing. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const closest = closestName(name, candidates);
  return closest === undefined ? '' : ` (did you mean ${closest}?)`;
}

/** Checks a value against the setting's fixed list; returns the problem in words, or undefined. */
export function choiceProblem(setting: Setting, value: SettingValue): string | undefined {
  if (setting.choices === undefined || setting.choices.includes(String(value))) return undefined;
  return `must be one of ${setting.choices.join(', ')}; got ${JSON.stringify(value)}`;
}

/** The two options only the settings stage reads, declared to yargs so `--help` lists them. */
export const CONFIG_OPTIONS = {
  [CONFIG_FLAG]: {
    type: 'string',
    describe: `JSON file of settings (or ${CONFIG_ENV}) [default: ./${CONFIG_FILE_NAME} when present]`,
    group: 'Settings:',
    global: false,
  },
  [PRINT_CONFIG_FLAG]: {
    type: 'boolean',
    describe: 'Show the effective settings and where each came from (secrets masked), then exit 0',
    group: 'Settings:',
    global: false,
  },
} as const;
