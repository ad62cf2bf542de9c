import { RunError } from '../errors.js';
import {
  choiceProblem,
  CONFIG_ENV,
  CREDENTIAL_VARIABLES,
  didYouMean,
  ENV_PREFIX,
  envVariableOf,
  SETTINGS,
  type Setting,
  type SettingValue,
} from './settings.js';

/** A setting read from one environment variable. */
export interface EnvironmentValue {
  setting: Setting;
  value: SettingValue;
  variable: string;
}

/** What the environment sets: the settings, and the config file it points at (`ZUORA_USAGE_CONFIG`). */
export interface EnvironmentSettings {
  values: EnvironmentValue[];
  configFile?: string;
}

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

/**
 * Reads `ZUORA_USAGE_<OPTION>` variables (and `ZUORA_ENV`, `ZUORA_BASE_URL` for the target). An empty
 * variable counts as unset, as `VAR=` in a crontab or an empty Secret key means "not given". A
 * `ZUORA_USAGE_` variable that is no setting, or a value of the wrong type, is a bad option: in an
 * unattended run a misspelled setting must stop the run, not be ignored.
 */
export function readEnvironment(env: NodeJS.ProcessEnv): EnvironmentSettings {
  const known = new Map(SETTINGS.map((setting) => [envVariableOf(setting), setting]));
  const values: EnvironmentValue[] = [];
  for (const [variable, setting] of known) {
    const raw = env[variable]?.trim();
    if (raw === undefined || raw === '') continue;
    values.push({ setting, value: parseEnvironmentValue(setting, variable, raw), variable });
  }
  for (const variable of Object.keys(env)) {
    if (!variable.startsWith(ENV_PREFIX) || known.has(variable) || variable === CONFIG_ENV) continue;
    throw new RunError('BAD_OPTION', unknownVariableMessage(variable, [...known.keys(), CONFIG_ENV]));
  }
  const configFile = env[CONFIG_ENV]?.trim();
  return { values, configFile: configFile === '' ? undefined : configFile };
}

function parseEnvironmentValue(setting: Setting, variable: string, raw: string): SettingValue {
  let value: SettingValue = raw;
  if (setting.type === 'boolean') {
    const word = raw.toLowerCase();
    if (!TRUE_WORDS.includes(word) && !FALSE_WORDS.includes(word)) {
      throw new RunError('BAD_OPTION', `${variable} must be true or false (or 1/0, yes/no); got "${raw}".`);
    }
    value = TRUE_WORDS.includes(word);
  } else if (setting.type === 'number') {
    value = Number(raw);
    if (!/^-?\d+(\.\d+)?$/.test(raw)) throw new RunError('BAD_OPTION', `${variable} must be a number; got "${raw}".`);
  }
  const problem = choiceProblem(setting, value);
  if (problem !== undefined) throw new RunError('BAD_OPTION', `${variable} ${problem}.`);
  return value;
}

function unknownVariableMessage(variable: string, known: string[]): string {
  const rest = variable.slice(ENV_PREFIX.length);
  if (rest === 'ENV' || rest === 'BASE_URL') {
    return `${variable} is not read: the target comes from ZUORA_${rest} (or --${rest.toLowerCase().replace('_', '-')}).`;
  }
  const credential = CREDENTIAL_VARIABLES.find((name) => name === `ZUORA_${rest}`);
  if (credential !== undefined) return `${variable} is not read: credentials come from ${credential}.`;
  return `${variable} is not a setting of zuora-usage-update${didYouMean(variable, known)}. Settings from the environment are ZUORA_USAGE_<OPTION> (zuora-usage-update --help lists the options).`;
}
