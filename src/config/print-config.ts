import { relative } from 'node:path';
import { ZUORA_ENVIRONMENTS, type ZuoraEnvironment } from '../options.js';
import { maskIdentifier, maskSecret, urlWithoutSecrets } from './mask-secrets.js';
import type { EffectiveSetting, ResolvedSettings, SettingSource } from './resolve-settings.js';

/**
 * `--print-config`: every setting with its effective value and where it came from, then the target
 * and the credentials (masked), as text for a person checking a cron or Kubernetes setup. The
 * options are checked further when a run starts (ranges, paths); this shows what it would be given.
 */
export function printConfig(resolved: ResolvedSettings, env: NodeJS.ProcessEnv, cwd: string): string {
  const rows: Array<[string, string, string]> = [['input', resolved.input ?? '(none given)', resolved.input === undefined ? '' : 'argument']];
  for (const entry of resolved.effective) rows.push([entry.setting.name, shownValue(entry), describeSource(entry.source, cwd)]);
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  const valueWidth = Math.min(48, Math.max(...rows.map(([, value]) => value.length)) + 2);
  const line = ([name, value, source]: [string, string, string]): string => `  ${name.padEnd(width)}${`${value}  `.padEnd(valueWidth)}${source}`.trimEnd();
  const clientId = env.ZUORA_CLIENT_ID;
  return [
    'Effective settings (flags > environment > config file > defaults):',
    ...rows.map(line),
    '',
    `Config file: ${resolved.configFile ?? 'none (no --config, no ZUORA_USAGE_CONFIG, no .zuora-usage-update.json here)'}`,
    `Target: ${describeTarget(resolved.effective)}`,
    ...(resolved.unknownFlags.length > 0 ? [`Not options (a run would stop with exit 1): ${resolved.unknownFlags.join(', ')}`] : []),
    'Credentials (environment only):',
    `  ZUORA_CLIENT_ID      ${maskIdentifier(clientId)}`,
    `  ZUORA_CLIENT_SECRET  ${maskSecret(env.ZUORA_CLIENT_SECRET)}`,
    `  ZUORA_ACCESS_TOKEN   ${maskSecret(env.ZUORA_ACCESS_TOKEN)}`,
    '',
  ].join('\n');
}

function shownValue(entry: EffectiveSetting): string {
  if (entry.value === undefined) return String(entry.setting.default);
  if (entry.setting.name === 'base-url') return urlWithoutSecrets(String(entry.value));
  return String(entry.value);
}

/** `flag`, `env ZUORA_USAGE_CONCURRENCY`, `file ./.zuora-usage-update.json: maxFailures`, `default`. */
export function describeSource(source: SettingSource, cwd: string): string {
  switch (source.kind) {
    case 'flag':
      return 'flag';
    case 'env':
      return `env ${source.variable}`;
    case 'file': {
      const shown = relative(cwd, source.path);
      return `file ${shown.startsWith('..') ? source.path : `./${shown}`}: ${source.key}`;
    }
    case 'default':
      return 'default';
  }
}

function describeTarget(effective: EffectiveSetting[]): string {
  const value = (name: string): string | undefined => {
    const found = effective.find((e) => e.setting.name === name)?.value;
    return found === undefined ? undefined : String(found);
  };
  const baseUrl = value('base-url');
  if (baseUrl !== undefined) return urlWithoutSecrets(baseUrl);
  const name = value('env');
  if (name === 'local') return 'the built-in simulator (local), no credentials needed';
  if (name !== undefined && name in ZUORA_ENVIRONMENTS) {
    const environment = ZUORA_ENVIRONMENTS[name as ZuoraEnvironment];
    return `${environment.url} (${environment.label})`;
  }
  return 'none: a run needs --env <name> or --base-url <url> (or ZUORA_ENV, ZUORA_BASE_URL)';
}
