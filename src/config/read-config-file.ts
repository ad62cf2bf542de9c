import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RunError } from '../errors.js';
import {
  camelCaseOf,
  choiceProblem,
  CONFIG_FILE_NAME,
  CREDENTIAL_VARIABLES,
  didYouMean,
  SETTINGS,
  type Setting,
  type SettingValue,
} from './settings.js';

/** A setting read from one key of the config file. */
export interface FileValue {
  setting: Setting;
  value: SettingValue;
  /** The key as written in the file (`maxFailures` or `max-failures`). */
  key: string;
}

export interface ConfigFile {
  /** Absolute path of the file read. */
  path: string;
  values: FileValue[];
}

/** Key names that say "a secret lives here": refused whatever their value. */
const SECRET_KEY = /secret|token|passw(or)?d|credential|client[-_]?id|authori[sz]ation|api[-_]?key|bearer/i;

/**
 * Reads the JSON config file: the one named (by `--config` or `ZUORA_USAGE_CONFIG`, relative to the
 * working directory), else `.zuora-usage-update.json` in the working directory when there is one.
 * Keys are the long option names (`max-failures`) or their camelCase (`maxFailures`). An unknown key,
 * a value of the wrong type and anything that looks like a credential are refused (RunError
 * BAD_OPTION naming the file and the key): a config file is shared and committed, credentials are not.
 *
 * @param named the path given by the user, or undefined to look for the default file in `cwd`
 * @param env the environment, to refuse a file that holds the value of a credential variable
 */
export function readConfigFile(named: string | undefined, cwd: string, env: NodeJS.ProcessEnv): ConfigFile | undefined {
  const path = resolve(cwd, named ?? CONFIG_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (named === undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RunError('BAD_OPTION', `Cannot read the config file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let content: unknown;
  try {
    content = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new RunError('BAD_OPTION', `The config file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw new RunError('BAD_OPTION', `The config file ${path} must hold one JSON object, such as {"concurrency": 16}.`);
  }
  const secretValues = CREDENTIAL_VARIABLES.map((name) => env[name]?.trim()).filter((v): v is string => v !== undefined && v.length >= 6);
  const values: FileValue[] = [];
  // Secrets first: a file holding one is refused for that, whatever else is wrong with it.
  const secretKey = Object.keys(content).find((key) => SECRET_KEY.test(key));
  if (secretKey !== undefined) {
    throw new RunError(
      'BAD_OPTION',
      `The config file ${path}, key "${secretKey}": credentials are never read from a file. Remove it and set ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET (or ZUORA_ACCESS_TOKEN) in the environment.`,
    );
  }
  for (const [key, raw] of Object.entries(content)) {
    const where = `The config file ${path}, key "${key}"`;
    const setting = SETTINGS.find((s) => s.name === key || camelCaseOf(s.name) === key);
    if (setting === undefined) {
      const names = SETTINGS.map((s) => s.name);
      throw new RunError('BAD_OPTION', `${where}: not a setting${didYouMean(key, names)}. Keys are long option names: ${names.join(', ')}.`);
    }
    const twice = values.find((v) => v.setting === setting);
    if (twice !== undefined) throw new RunError('BAD_OPTION', `${where}: "${twice.key}" sets the same option; keep one.`);
    const value = checkType(setting, raw, where);
    if (typeof value === 'string' && secretValues.some((secret) => value.includes(secret))) {
      throw new RunError('BAD_OPTION', `${where}: holds the value of a credential from the environment; credentials never go in a file.`);
    }
    values.push({ setting, value, key });
  }
  return { path, values };
}

function checkType(setting: Setting, raw: unknown, where: string): SettingValue {
  let value: SettingValue;
  if (setting.type === 'string' && setting.numberAllowed && typeof raw === 'number') value = String(raw);
  else if (typeof raw === setting.type) value = raw as SettingValue;
  else {
    const expected = setting.type === 'string' && setting.numberAllowed ? 'a string or a number' : `a ${setting.type}`;
    throw new RunError('BAD_OPTION', `${where}: must be ${expected}; got ${JSON.stringify(raw)} (${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : `a ${typeof raw}`}).`);
  }
  const problem = choiceProblem(setting, value);
  if (problem !== undefined) throw new RunError('BAD_OPTION', `${where}: ${problem}.`);
  return value;
}
