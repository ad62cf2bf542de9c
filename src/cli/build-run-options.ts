import { RunError } from '../errors.js';
import { parseEncodingOption } from '../input/encodings.js';
import { parseDelimiterOption } from '../input/read-rows.js';
import {
  checkTrackPrefix,
  DECIMAL_COMMA_DELIMITER,
  DEFAULTS,
  ENVIRONMENT_NAMES,
  generateTrackPrefix,
  isLoopbackHost,
  ZUORA_ENVIRONMENTS,
  type MaxFailures,
  type RunOptions,
  type Target,
  type Transport,
  type ZuoraEnvironment,
} from '../options.js';
import type { DateFormat } from '../rows/date-time.js';
import type { Credentials } from '../send/auth.js';
import { MAX_BATCH_SIZE } from '../send/post-update-batch.js';

/** The flags every command that talks to Zuora takes: its target, limits, retries and track ids. */
export interface TargetArgs {
  env?: string;
  baseUrl?: string;
  entityIds?: string;
  orgIds?: string;
  zuoraVersion?: string;
  concurrency: number;
  maxAttempts: number;
  timeout: number;
  trackPrefix?: string;
  gzip: boolean;
}

/** The parsed flags of the main command, as yargs gives them. */
export interface MainArgs extends TargetArgs {
  input: string;
  out?: string;
  failures?: string;
  dryRun: boolean;
  resume: boolean;
  overwrite: boolean;
  rejectUnknownFields: boolean;
  dateFormat?: string;
  decimalComma: boolean;
  allowTimes1000: boolean;
  delimiter?: string;
  encoding: string;
  ignoreUnknownColumns: boolean;
  maxFailures?: string;
  summaryJson?: string;
  report?: string;
  transport: string;
  batchSize?: number;
  logLevel: string;
  /** `--log-format`; undefined: `text` on a terminal, else `json` (stderr-output.ts). */
  logFormat?: string;
  preview: boolean;
  backup?: string;
  verify: boolean;
  settle?: number;
  skipUnchanged?: boolean;
}

const { timeoutMs, ...sameNames } = DEFAULTS;

/** The flags of the main command as they are when none is given: DEFAULTS, under the flags' names. */
export const MAIN_ARG_DEFAULTS = { ...sameNames, timeout: timeoutMs } as const satisfies Partial<MainArgs>;

/**
 * Turns flags and environment variables into validated run options (the output paths are checked
 * apart, by check-output-paths.ts, before anything else). Throws RunError('BAD_OPTION')
 * with a message naming the flag, what was expected and what was found, or RunError('AUTH_FAILED')
 * when a run that sends has no credentials.
 */
export function buildRunOptions(args: MainArgs, env: NodeJS.ProcessEnv): RunOptions {
  const options: RunOptions = {
    input: args.input,
    ...outputFiles(args),
    target: buildTarget(args, env),
    credentials: undefined,
    entityIds: args.entityIds,
    orgIds: args.orgIds,
    zuoraVersion: args.zuoraVersion,
    concurrency: integerOption('--concurrency', args.concurrency, 1, 256),
    maxAttempts: integerOption('--max-attempts', args.maxAttempts, 1, 50),
    timeoutMs: integerOption('--timeout', args.timeout, 100, 600_000),
    dryRun: args.dryRun,
    resume: args.resume,
    overwrite: args.overwrite,
    trackPrefix: args.trackPrefix ?? generateTrackPrefix(),
    gzip: args.gzip,
    rejectUnknownFields: args.rejectUnknownFields,
    dateFormat: args.dateFormat as DateFormat | undefined,
    decimalComma: args.decimalComma,
    allowTimes1000: args.allowTimes1000,
    delimiter: args.delimiter === undefined ? undefined : parseDelimiterOption(args.delimiter),
    encoding: parseEncodingOption(args.encoding),
    ignoreUnknownColumns: args.ignoreUnknownColumns,
    maxFailures: args.maxFailures === undefined ? undefined : parseMaxFailures(args.maxFailures),
    summaryJson: args.summaryJson,
    report: args.report,
    preview: args.preview,
    backup: args.backup,
    verify: args.verify,
    ...settleOption(args),
    skipUnchanged: args.skipUnchanged === true,
    ...transportOptions(args),
  };
  checkLookBeforeYouLeap(args);
  if (options.decimalComma && options.delimiter === ',') throw new RunError('BAD_OPTION', DECIMAL_COMMA_DELIMITER);
  if (args.report !== undefined && args.report.trim() === '') throw new RunError('BAD_OPTION', '--report needs a file name, e.g. --report corrections.report.html');
  if (args.overwrite && args.resume) {
    throw new RunError('BAD_OPTION', '--overwrite and --resume contradict each other: --resume finishes the earlier run whose results are at --out, --overwrite starts over and replaces them. Give one.');
  }
  const prefixProblem = checkTrackPrefix(options.trackPrefix);
  if (prefixProblem) throw new RunError('BAD_OPTION', prefixProblem);
  // The built-in simulator takes its own demo client: credentials exported for a real tenant are not used.
  if (!options.dryRun && options.target.kind !== 'local') options.credentials = readCredentials(env);
  return options;
}

/** Results and failures paths: as given, or beside the input. */
export function outputFiles(args: Pick<MainArgs, 'input' | 'out' | 'failures' | 'dryRun'> & Partial<Pick<MainArgs, 'preview'>>): { out: string; failures: string } {
  const stem = args.input.replace(/\.csv$/i, '');
  return {
    // A dry run or a preview writes beside, never over, the results of a real run (which --resume relies on).
    out: args.out ?? (args.dryRun ? `${stem}.dry-run.csv` : args.preview ? `${stem}.preview.csv` : `${stem}.results.csv`),
    failures: args.failures ?? (args.dryRun ? `${stem}.dry-run.failures.csv` : nextFailuresName(stem)),
  };
}

/**
 * The failures file of a run of `<stem>.csv`: `<stem>.failures.csv`; re-running a failures file numbers
 * the round instead of piling names up: `x.failures.csv` -> `x.failures-2.csv` -> `x.failures-3.csv`.
 */
function nextFailuresName(stem: string): string {
  const round = /^(.*\.failures)(?:-(\d+))?$/i.exec(stem);
  if (round?.[1] === undefined) return `${stem}.failures.csv`;
  return `${round[1]}-${round[2] === undefined ? 2 : Number(round[2]) + 1}.csv`;
}

/**
 * Where to send. Flags beat environment variables (an exported ZUORA_BASE_URL must never redirect an
 * explicit `--env`), and a URL beats an environment name at the same level.
 */
export function buildTarget(args: Pick<MainArgs, 'baseUrl' | 'env'>, env: NodeJS.ProcessEnv): Target {
  if (args.baseUrl !== undefined) return urlTarget('--base-url', args.baseUrl);
  if (args.env !== undefined) return envTarget('--env', args.env);
  const baseUrl = nonEmpty(env.ZUORA_BASE_URL);
  if (baseUrl !== undefined) return urlTarget('ZUORA_BASE_URL', baseUrl);
  const name = nonEmpty(env.ZUORA_ENV);
  if (name !== undefined) return envTarget('ZUORA_ENV', name);
  throw new RunError(
    'BAD_OPTION',
    `Choose where to send: --env <name> (${ENVIRONMENT_NAMES.join(', ')}) or --base-url <url>. Try --env local for the built-in simulator.`,
  );
}

function urlTarget(source: string, baseUrl: string): Target {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new RunError('BAD_OPTION', `${source} "${baseUrl}" is not a URL; expected e.g. https://rest.test.zuora.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RunError('BAD_OPTION', `${source} "${baseUrl}" must start with https://`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new RunError('BAD_OPTION', `${source} must not contain a user name or password; credentials come from ZUORA_CLIENT_ID/ZUORA_CLIENT_SECRET or ZUORA_ACCESS_TOKEN.`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new RunError(
      'BAD_OPTION',
      `${source} ${url.origin}: plain http:// is only allowed to loopback (127.0.0.1, localhost, ::1), so tokens never travel in clear text. Use https://.`,
    );
  }
  return { kind: 'url', baseUrl: url.href.replace(/\/+$/, '') };
}

function envTarget(source: string, name: string): Target {
  if (name === 'local') return { kind: 'local' };
  if (!(name in ZUORA_ENVIRONMENTS)) {
    throw new RunError('BAD_OPTION', `${source} "${name}" is not an environment; expected one of ${ENVIRONMENT_NAMES.join(', ')}.`);
  }
  return { kind: 'url', baseUrl: ZUORA_ENVIRONMENTS[name as ZuoraEnvironment].url };
}

/** The one place that decides whether the environment holds usable credentials. */
export function readCredentials(env: NodeJS.ProcessEnv): Credentials {
  const clientId = nonEmpty(env.ZUORA_CLIENT_ID);
  const clientSecret = nonEmpty(env.ZUORA_CLIENT_SECRET);
  const token = nonEmpty(env.ZUORA_ACCESS_TOKEN);
  if (clientId !== undefined && clientSecret !== undefined) return { kind: 'client', clientId, clientSecret };
  if ((clientId === undefined) !== (clientSecret === undefined)) {
    throw new RunError(
      'AUTH_FAILED',
      `${clientId === undefined ? 'ZUORA_CLIENT_ID' : 'ZUORA_CLIENT_SECRET'} is not set: an OAuth client needs both ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET.`,
    );
  }
  if (token !== undefined) return { kind: 'token', token };
  throw new RunError(
    'AUTH_FAILED',
    'No Zuora credentials: set ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET (an OAuth client, recommended) or ZUORA_ACCESS_TOKEN in the environment. Use --dry-run to check a file without credentials.',
  );
}

/** `--preview`, `--backup`, `--verify`: which combinations make sense (SPEC "Look before you leap"). */
function checkLookBeforeYouLeap(args: Pick<MainArgs, 'preview' | 'backup' | 'verify' | 'dryRun' | 'resume' | 'skipUnchanged'> & Partial<Pick<MainArgs, 'failures'>>): void {
  if (args.preview && args.failures !== undefined) {
    throw new RunError('BAD_OPTION', `--preview writes no failures file (it sends nothing, so nothing fails): leave out --failures ${args.failures}, or give it to the run that applies the file.`);
  }
  if (args.skipUnchanged && (args.preview || args.dryRun)) {
    throw new RunError(
      'BAD_OPTION',
      `--skip-unchanged with ${args.preview ? '--preview' : '--dry-run'}: it decides what a real run sends. ${args.preview ? 'A preview already says which rows are unchanged.' : 'Use --preview to see which rows are unchanged.'}`,
    );
  }
  if (args.preview) {
    const clash = [args.dryRun && '--dry-run', args.backup !== undefined && '--backup', args.verify && '--verify', args.resume && '--resume'].filter(Boolean);
    if (clash.length > 0) {
      throw new RunError('BAD_OPTION', `--preview only reads and changes nothing, so it cannot be combined with ${clash.join(', ')}. Preview first, then run again with ${clash.join(' ')}.`);
    }
  }
  if (args.backup !== undefined) {
    if (args.backup.trim() === '') throw new RunError('BAD_OPTION', '--backup needs a file name, e.g. --backup corrections.backup.csv');
    if (args.dryRun) throw new RunError('BAD_OPTION', '--backup with --dry-run: a dry run changes nothing, so there is nothing to back up. Use --preview to see the current values.');
  }
  if (args.verify && args.dryRun) {
    throw new RunError('BAD_OPTION', '--verify with --dry-run: a dry run sends nothing, so there is nothing to read back. Use --preview to see the current values.');
  }
}

/** `--transport` and `--batch-size`: a batch size means nothing to the PUT, so giving one with it is a mistake worth saying. */
function transportOptions(args: Pick<MainArgs, 'transport' | 'batchSize'>): Pick<RunOptions, 'transport' | 'batchSize'> {
  const transport = args.transport as Transport;
  if (transport !== 'actions') {
    if (args.batchSize !== undefined) throw new RunError('BAD_OPTION', '--batch-size applies to --transport actions only (--transport put sends one row a request).');
    return { transport };
  }
  return { transport, batchSize: integerOption('--batch-size', args.batchSize ?? MAX_BATCH_SIZE, 1, MAX_BATCH_SIZE) };
}

/** `--settle <seconds>`: more than 0, at most an hour (Zuora's gateway gives up on a request after 120 s); only for a run that sends. */
function settleOption(args: Pick<MainArgs, 'settle' | 'dryRun' | 'preview'>): Pick<RunOptions, 'settleSeconds'> {
  if (args.settle === undefined) return {};
  if (args.dryRun || args.preview) throw new RunError('BAD_OPTION', `--settle applies to a run that sends: ${args.dryRun ? '--dry-run' : '--preview'} sends nothing.`);
  if (!Number.isFinite(args.settle) || args.settle <= 0 || args.settle > 3600) {
    throw new RunError('BAD_OPTION', `--settle must be a number of seconds above 0 and at most 3600 (Zuora gives up on a request after 120 s, so 130 is safe); got "${args.settle}".`);
  }
  return { settleSeconds: args.settle };
}

function integerOption(flag: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RunError('BAD_OPTION', `${flag} must be a whole number from ${min} to ${max}; got "${value}".`);
  }
  return value;
}

/** `--max-failures`: a count (`50`) or a percentage (`10%`). */
export function parseMaxFailures(text: string): MaxFailures {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (match?.[1] !== undefined) {
    const n = Number(match[1]);
    if (match[2] === '%' && n >= 0 && n <= 100) return { percent: n };
    if (match[2] === '' && Number.isInteger(n)) return { count: n };
  }
  throw new RunError('BAD_OPTION', `--max-failures must be a count (e.g. 50) or a percentage (e.g. 10%); got "${text}".`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
