#!/usr/bin/env -S node --max-semi-space-size=6
// The young generation is capped at 6 MB a half: at thousands of requests per second V8 would grow it
// to 32 MB for no gain in speed (BENCHMARKS.md); the Dockerfile's ENTRYPOINT passes the same flag.
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { RunError, EXIT } from './errors.js';
import { parseDelimiterOption } from './input/read-rows.js';
import { createLogger } from './logger.js';
import {
  checkTrackPrefix,
  ENVIRONMENT_NAMES,
  generateTrackPrefix,
  isLoopbackHost,
  ZUORA_ENVIRONMENTS,
  type MaxFailures,
  type RunOptions,
  type Target,
  type ZuoraEnvironment,
} from './options.js';
import type { Progress } from './output/progress.js';
import { formatSummary, shellQuote } from './output/summary.js';
import * as summaryJson from './output/summary-json.js';
import { printConfig } from './config/print-config.js';
import { resolveSettings } from './config/resolve-settings.js';
import { CONFIG_OPTIONS } from './config/settings.js';
import type { DateFormat } from './rows/date-time.js';
import { run } from './run.js';
import type { Credentials } from './send/auth.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const DEFAULTS = { concurrency: 8, maxAttempts: 6, timeout: 30_000 } as const;

/** The parsed flags of the main command, as yargs gives them. */
export interface MainArgs {
  input: string;
  out?: string;
  failures?: string;
  env?: string;
  baseUrl?: string;
  entityIds?: string;
  orgIds?: string;
  zuoraVersion?: string;
  concurrency: number;
  maxAttempts: number;
  timeout: number;
  dryRun: boolean;
  resume: boolean;
  trackPrefix?: string;
  gzip: boolean;
  rejectUnknownFields: boolean;
  dateFormat?: string;
  delimiter?: string;
  ignoreUnknownColumns: boolean;
  maxFailures?: string;
  summaryJson?: string;
  logLevel: string;
}

function mainOptions(y: Argv): Argv<MainArgs> {
  return y
    .positional('input', { type: 'string', describe: 'Corrections CSV: one usage record per row, with an Id column', demandOption: true })
    .options({
      env: { type: 'string', choices: ENVIRONMENT_NAMES, describe: 'Zuora environment (or ZUORA_ENV); local = built-in simulator', group: 'Target:' },
      'base-url': { type: 'string', describe: 'Any REST base URL (or ZUORA_BASE_URL); overrides --env. http:// only to loopback', group: 'Target:' },
      'entity-ids': { type: 'string', describe: 'Send Zuora-Entity-Ids (multi-entity tenants)', group: 'Target:' },
      'org-ids': { type: 'string', describe: 'Send Zuora-Org-Ids', group: 'Target:' },
      'zuora-version': { type: 'string', describe: 'Send Zuora-Version', group: 'Target:' },
      out: { alias: 'o', type: 'string', describe: 'Results CSV [default: <input>.results.csv]', group: 'Files:' },
      failures: { type: 'string', describe: 'Failures CSV, itself a valid input [default: <input>.failures.csv]', group: 'Files:' },
      'summary-json': { type: 'string', describe: 'Also write the run summary as JSON to this file', group: 'Files:' },
      delimiter: { type: 'string', describe: 'Force the delimiter: , ; | or tab [default: detected from the header line]', group: 'Input:' },
      'date-format': { type: 'string', choices: ['MM/DD/YYYY', 'DD/MM/YYYY'], describe: 'Also accept this date format besides ISO', group: 'Input:' },
      'ignore-unknown-columns': { type: 'boolean', default: false, describe: 'Carry unknown columns along instead of stopping', group: 'Input:' },
      'dry-run': { type: 'boolean', default: false, describe: 'Read and validate everything, send nothing', group: 'Run:' },
      resume: { type: 'boolean', default: false, describe: 'Finish an earlier run of the same input and --out', group: 'Run:' },
      concurrency: { alias: 'c', type: 'number', default: DEFAULTS.concurrency, describe: 'Most requests in flight', group: 'Run:' },
      'max-attempts': { type: 'number', default: DEFAULTS.maxAttempts, describe: 'Attempts per row, the first included', group: 'Run:' },
      timeout: { type: 'number', default: DEFAULTS.timeout, describe: 'Limit for one attempt, in ms', group: 'Run:' },
      'max-failures': { type: 'string', describe: 'Stop early (exit 3) after more than n failed rows, or p% of answered rows (e.g. 50 or 10%)', group: 'Run:' },
      'track-prefix': { type: 'string', describe: 'Prefix of each Zuora-Track-Id (<prefix>-<line>) [default: generated per run]', group: 'Run:' },
      gzip: { type: 'boolean', default: true, describe: 'Gzip request bodies (--no-gzip to send plain JSON)', group: 'Run:' },
      'reject-unknown-fields': { type: 'boolean', default: true, describe: 'Add rejectUnknownFields=true (--no-reject-unknown-fields to omit)', group: 'Run:' },
      'log-level': { type: 'string', default: 'info', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], describe: 'Log level (pino)', group: 'Run:' },
    }) as unknown as Argv<MainArgs>;
}

/**
 * Turns flags and environment variables into validated run options. Throws RunError('BAD_OPTION')
 * with a message naming the flag, what was expected and what was found.
 */
export function buildRunOptions(args: MainArgs, env: NodeJS.ProcessEnv): RunOptions {
  const stem = args.input.replace(/\.csv$/i, '');
  const options: RunOptions = {
    input: args.input,
    // A dry run writes beside, never over, the results of a real run (which --resume relies on).
    out: args.out ?? (args.dryRun ? `${stem}.dry-run.csv` : `${stem}.results.csv`),
    failures: args.failures ?? (args.dryRun ? `${stem}.dry-run.failures.csv` : `${stem}.failures.csv`),
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
    trackPrefix: args.trackPrefix ?? generateTrackPrefix(),
    gzip: args.gzip,
    rejectUnknownFields: args.rejectUnknownFields,
    dateFormat: args.dateFormat as DateFormat | undefined,
    delimiter: args.delimiter === undefined ? undefined : parseDelimiterOption(args.delimiter),
    ignoreUnknownColumns: args.ignoreUnknownColumns,
    maxFailures: args.maxFailures === undefined ? undefined : parseMaxFailures(args.maxFailures),
    summaryJson: args.summaryJson,
  };
  const prefixProblem = checkTrackPrefix(options.trackPrefix);
  if (prefixProblem) throw new RunError('BAD_OPTION', prefixProblem);
  const [input, out, failures] = [options.input, options.out, options.failures].map(canonicalPath);
  if (out === input || failures === input || out === failures) {
    throw new RunError('BAD_OPTION', '--out, --failures and the input must be three different files (the input is never overwritten).');
  }
  // The built-in simulator takes its own demo client: credentials exported for a real tenant are not used.
  if (!options.dryRun && options.target.kind !== 'local') options.credentials = readCredentials(env);
  return options;
}

/**
 * Where to send. Flags beat environment variables (an exported ZUORA_BASE_URL must never redirect an
 * explicit `--env`), and a URL beats an environment name at the same level.
 */
function buildTarget(args: MainArgs, env: NodeJS.ProcessEnv): Target {
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

function readCredentials(env: NodeJS.ProcessEnv): Credentials {
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

function integerOption(flag: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RunError('BAD_OPTION', `${flag} must be a whole number from ${min} to ${max}; got "${value}".`);
  }
  return value;
}

export function parseMaxFailures(text: string): MaxFailures {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (match?.[1] !== undefined) {
    const n = Number(match[1]);
    if (match[2] === '%' && n >= 0 && n <= 100) return { percent: n };
    if (match[2] === '' && Number.isInteger(n)) return { count: n };
  }
  throw new RunError('BAD_OPTION', `--max-failures must be a count (e.g. 50) or a percentage (e.g. 10%); got "${text}".`);
}

/** The real path of a file, or of its folder plus its name when it does not exist yet: links and `./` alike compare equal. */
function canonicalPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    try {
      return join(realpathSync(dirname(absolute)), basename(absolute));
    } catch {
      return absolute;
    }
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The command that repeats this run's target and sending options on another input. */
function rerunCommand(args: MainArgs): (input: string, extra?: string[]) => string {
  const flags: string[] = [];
  if (args.baseUrl) flags.push('--base-url', args.baseUrl);
  else if (args.env) flags.push('--env', args.env);
  const add = (flag: string, value: string | number | undefined, fallback?: string | number): void => {
    if (value !== undefined && value !== fallback) flags.push(flag, String(value));
  };
  add('--entity-ids', args.entityIds);
  add('--org-ids', args.orgIds);
  add('--zuora-version', args.zuoraVersion);
  add('--concurrency', args.concurrency, DEFAULTS.concurrency);
  add('--max-attempts', args.maxAttempts, DEFAULTS.maxAttempts);
  add('--timeout', args.timeout, DEFAULTS.timeout);
  add('--date-format', args.dateFormat);
  add('--delimiter', args.delimiter);
  add('--max-failures', args.maxFailures);
  if (args.ignoreUnknownColumns) flags.push('--ignore-unknown-columns');
  if (!args.gzip) flags.push('--no-gzip');
  if (!args.rejectUnknownFields) flags.push('--no-reject-unknown-fields');
  return (input, extra = []) => ['zuora-usage-update', input, ...extra, ...flags].map(shellQuote).join(' ');
}

/** A repeated signal within this window is the same request (timeout(1) signals the child, then its group). */
const SIGNAL_REPEAT_MS = 1000;

async function runMain(args: MainArgs): Promise<number> {
  const startedAt = Date.now();
  const logger = await createLogger({ level: args.logLevel, pretty: process.stderr.isTTY === true });
  let options: RunOptions;
  const context = (): summaryJson.SummaryJsonContext => ({ version: VERSION, path: args.summaryJson, options, startedAt, now: Date.now() });
  try {
    options = buildRunOptions(args, process.env);
    // Written first, so a monitor never reads last night's summary, and an unwritable path fails before sending.
    if (options.summaryJson) writeSummaryJson(options.summaryJson, summaryJson.runningSummaryJson(context()));
  } catch (error) {
    return reportRunError(error, logger, context());
  }
  const interrupt = new AbortController();
  let firstSignalAt: number | undefined;
  const onSignal = (name: NodeJS.Signals): void => {
    const now = Date.now();
    if (firstSignalAt === undefined) {
      firstSignalAt = now;
      logger.warn({ signal: name }, 'interrupted: finishing in-flight requests (send the signal again to exit at once)');
      interrupt.abort();
    } else if (now - firstSignalAt >= SIGNAL_REPEAT_MS) {
      const failure = { exitCode: EXIT.interrupted, code: 'INTERRUPTED', message: 'a second signal: exited at once, in-flight rows are unknown; run again with --resume' };
      finishRun(logger, summaryJson.failedSummaryJson(failure, context()));
      process.exit(EXIT.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Progress only on a terminal: cron and Kubernetes logs stay clean.
  let progress: ((total: number | undefined) => Progress) | undefined;
  if (process.stderr.isTTY && args.logLevel !== 'silent') {
    const { terminalProgress } = await import('./output/terminal-progress.js');
    progress = (total) => terminalProgress(process.stderr, total);
  }
  try {
    const summary = await run(options, {
      logger,
      signal: interrupt.signal,
      progress,
      rerun: rerunCommand(args),
      userAgent: `zuora-usage-update/${VERSION}`,
    });
    process.stderr.write(formatSummary(summary));
    finishRun(logger, summaryJson.finishedSummaryJson(summary, context()));
    return summary.exitCode;
  } catch (error) {
    return reportRunError(error, logger, context());
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Ends every run the same way: the summary JSON when asked for, then the "run finished" log record, the last one. */
function finishRun(logger: Logger, doc: summaryJson.SummaryJsonV1): void {
  const path = doc.outputs.summaryJson;
  if (path) {
    try {
      writeSummaryJson(path, doc);
    } catch (error) {
      logger.error({ code: (error as RunError).code }, (error as Error).message);
    }
  }
  logger[summaryJson.runFinishedLevel(doc.exitCode ?? EXIT.stoppedEarly)](summaryJson.runFinishedFields(doc), 'run finished');
}

function writeSummaryJson(path: string, content: object): void {
  try {
    writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
  } catch (error) {
    throw new RunError('OUTPUT_UNWRITABLE', `Cannot write --summary-json ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * A run that ended by an error: RunErrors are start failures (exit 1) or an interrupt before the
 * first row (130); anything else is unexpected and may have come after rows were sent (exit 3: the
 * results hold the rows done, `--resume` continues).
 */
function reportRunError(error: unknown, logger: Logger, context: summaryJson.SummaryJsonContext): number {
  let exitCode: number;
  let message: string;
  let code: string;
  if (error instanceof RunError) {
    exitCode = error.code === 'INTERRUPTED' ? EXIT.interrupted : EXIT.couldNotStart;
    message = error.message;
    code = error.code;
    logger.error({ code }, message);
  } else {
    exitCode = EXIT.stoppedEarly;
    code = 'UNEXPECTED';
    message = `stopped by an unexpected error: ${error instanceof Error ? error.message : String(error)}. The results hold the rows done; run again with --resume.`;
    logger.fatal({ err: error }, 'unexpected error');
  }
  process.stderr.write(`\nzuora-usage-update: ${message}\n`);
  finishRun(logger, summaryJson.failedSummaryJson({ exitCode, code, message }, context));
  return exitCode;
}

interface SimulateArgs {
  port: number;
  tokenLifetime?: number;
  latency?: number;
  timeZone?: string;
  rateLimitPerSecond?: number;
  rateLimitPerMinute?: number;
  concurrencyLimit?: number;
  chaosRate?: number;
  chaosSeed?: number;
  acceptAnyId: boolean;
}

async function runSimulate(args: SimulateArgs): Promise<number> {
  const rateLimit =
    args.rateLimitPerSecond !== undefined || args.rateLimitPerMinute !== undefined
      ? { perSecond: args.rateLimitPerSecond, perMinute: args.rateLimitPerMinute }
      : undefined;
  const { createSimulator, DEMO_CREDENTIALS } = await import('./simulator/create-simulator.js');
  let simulator: Awaited<ReturnType<typeof createSimulator>>;
  try {
    simulator = await createSimulator({
      port: args.port,
      tokenLifetimeSeconds: args.tokenLifetime,
      latencyMs: args.latency,
      tenantTimeZone: args.timeZone,
      rateLimit,
      concurrencyLimit: args.concurrencyLimit,
      chaos: args.chaosRate === undefined ? undefined : { rate: args.chaosRate, seed: args.chaosSeed },
      acceptAnyId: args.acceptAnyId,
      recordRequests: false,
    });
  } catch (error) {
    process.stderr.write(`zuora-usage-update simulate: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.couldNotStart;
  }
  process.stdout.write(
    [
      `Zuora simulator listening on ${simulator.url}${simulator.chaosSeed === undefined ? '' : ` (chaos seed ${simulator.chaosSeed})`}`,
      `Demo OAuth client (public, for the simulator only):`,
      `  export ZUORA_BASE_URL=${simulator.url}`,
      `  export ZUORA_CLIENT_ID=${DEMO_CREDENTIALS.clientId}`,
      `  export ZUORA_CLIENT_SECRET=${shellQuote(DEMO_CREDENTIALS.clientSecret)}`,
      `Press Ctrl+C to stop.`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await simulator.close();
  return EXIT.ok;
}

export function createParser(argv: string[]): Argv {
  let exitCode: number = EXIT.ok;
  const parser = yargs(argv)
    .scriptName('zuora-usage-update')
    .usage('$0 <input.csv> [options]\n\nApply corrected usage records from a CSV to Zuora, one PUT /v1/object/usage/{id} per row.')
    .command('$0 <input>', 'Apply the corrections in <input>', mainOptions, async (args) => {
      exitCode = await runMain(args as unknown as MainArgs);
    })
    .command(
      'simulate',
      'Run the built-in Zuora simulator on a loopback port',
      (y) =>
        y.options({
          port: { type: 'number', default: 8080, describe: 'Port on 127.0.0.1 (0 = any free port)' },
          'token-lifetime': { type: 'number', describe: 'OAuth token lifetime in seconds [default: 3599]' },
          latency: { type: 'number', describe: 'Added latency per usage request, in ms [default: 0]' },
          'time-zone': { type: 'string', describe: 'Tenant time zone offset, e.g. -08:00 [default: -08:00]' },
          'rate-limit-per-second': { type: 'number', describe: 'Usage requests per second before 429 (RateLimit-* headers)' },
          'rate-limit-per-minute': { type: 'number', describe: 'Usage requests per minute before 429' },
          'concurrency-limit': { type: 'number', describe: 'Usage requests in flight before 429 (Concurrency-Limit-* headers)' },
          'chaos-rate': { type: 'number', describe: 'Share of usage requests (0..1) that get a random fault: 5xx, drop, slow, lock' },
          'chaos-seed': { type: 'number', describe: 'Seed of the random faults, to replay a run' },
          'accept-any-id': { type: 'boolean', default: false, describe: 'Create unknown well-formed ids on first use (for generated files)' },
        }),
      async (args) => {
        exitCode = await runSimulate(args as unknown as SimulateArgs);
      },
    )
    .env(false)
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .epilogue(
      [
        'Credentials come from the environment only: ZUORA_CLIENT_ID + ZUORA_CLIENT_SECRET (OAuth client), or ZUORA_ACCESS_TOKEN.',
        '',
        'Exit codes:',
        '  0    every row updated (or valid, with --dry-run)',
        '  1    could not start; nothing was sent',
        '  2    finished, but some rows are failed, unknown or invalid: see the failures file',
        '  3    stopped early; run again with --resume',
        '  130  interrupted (SIGINT/SIGTERM); run again with --resume',
      ].join('\n'),
    )
    .fail((message, error) => {
      if (error) throw error;
      // Reported by main() like every start failure, so the log still ends with "run finished".
      throw new RunError('BAD_OPTION', `${message}\nRun zuora-usage-update --help for the options.`);
    });
  Object.defineProperty(parser, 'exitCode', { get: () => exitCode });
  return parser;
}

async function main(): Promise<void> {
  // Settings from the environment and the config file become flags before yargs parses (config/).
  let argv = hideBin(process.argv);
  try {
    const settings = resolveSettings(argv, process.env, process.cwd());
    if (settings.printConfig) {
      process.stdout.write(printConfig(settings, process.env, process.cwd()));
      process.exit(EXIT.ok);
    }
    argv = settings.argv;
  } catch (error) {
    const logger = await createLogger({ level: 'info', pretty: process.stderr.isTTY === true });
    process.exit(reportRunError(error, logger, { version: VERSION, startedAt: Date.now(), now: Date.now() }));
  }
  const parser = createParser(argv).options(CONFIG_OPTIONS);
  try {
    await parser.parseAsync();
  } catch (error) {
    const logger = await createLogger({ level: 'info', pretty: process.stderr.isTTY === true });
    process.exit(reportRunError(error, logger, { version: VERSION, startedAt: Date.now(), now: Date.now() }));
  }
  // Exit explicitly: a scheduler must get the code even if a stray socket would keep the loop alive.
  process.exit((parser as unknown as { exitCode: number }).exitCode);
}

await main();
