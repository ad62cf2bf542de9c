import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { EXIT, EXIT_MEANINGS } from '../errors.js';
import { ENVIRONMENT_NAMES, TRANSPORTS } from '../options.js';
import { MAX_BATCH_SIZE } from '../send/post-update-batch.js';
import type { SimulateArgs } from '../simulator/simulate-command.js';
import { MAIN_ARG_DEFAULTS, type MainArgs } from './build-run-options.js';
import { runMain } from './run-main.js';

/** The package version, read when the command line is parsed (the path holds in `dist/src/cli/`, where the bin runs). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function mainOptions(y: Argv): Argv<MainArgs> {
  const d = MAIN_ARG_DEFAULTS;
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
      encoding: { type: 'string', default: d.encoding, describe: 'Encoding of the input: utf-8, windows-1252 (Excel "CSV" on Windows) or latin1', group: 'Input:' },
      'date-format': { type: 'string', choices: ['MM/DD/YYYY', 'DD/MM/YYYY'], describe: 'Also accept this date format besides ISO', group: 'Input:' },
      'ignore-unknown-columns': { type: 'boolean', default: d.ignoreUnknownColumns, describe: 'Carry unknown columns along instead of stopping', group: 'Input:' },
      'dry-run': { type: 'boolean', default: d.dryRun, describe: 'Read and validate everything, send nothing', group: 'Run:' },
      preview: { type: 'boolean', default: d.preview, describe: 'Read current values, change nothing: writes <input>.preview.csv (or --out) with before_ columns', group: 'Look before you leap:' },
      backup: { type: 'string', describe: "Save each Id's values before this run changes it, as a restorable input file", group: 'Look before you leap:' },
      verify: { type: 'boolean', default: d.verify, describe: 'Read each updated record back and compare with what was sent', group: 'Look before you leap:' },
      resume: { type: 'boolean', default: d.resume, describe: 'Finish an earlier run of the same input and --out', group: 'Run:' },
      concurrency: { alias: 'c', type: 'number', default: d.concurrency, describe: 'Most requests in flight', group: 'Run:' },
      'max-attempts': { type: 'number', default: d.maxAttempts, describe: 'Attempts per row, the first included', group: 'Run:' },
      timeout: { type: 'number', default: d.timeout, describe: 'Limit for one attempt, in ms', group: 'Run:' },
      'max-failures': {
        type: 'string',
        describe: `Stop early (exit ${EXIT.stoppedEarly}) after more than n failed rows, or p% of answered rows (e.g. 50 or 10%)`,
        group: 'Run:',
      },
      'track-prefix': { type: 'string', describe: 'Prefix of each Zuora-Track-Id (<prefix>-<line>) [default: generated per run]', group: 'Run:' },
      gzip: { type: 'boolean', default: d.gzip, describe: 'Gzip request bodies (--no-gzip to send plain JSON)', group: 'Run:' },
      transport: {
        type: 'string',
        choices: TRANSPORTS,
        default: d.transport,
        describe: 'put: one PUT /v1/object/usage/{id} a row; actions: POST /v1/action/update, up to --batch-size rows a request (try on a sandbox first)',
        group: 'Run:',
      },
      'batch-size': { type: 'number', describe: `Rows per Actions call with --transport actions, 1 to ${MAX_BATCH_SIZE} [default: ${MAX_BATCH_SIZE}]`, group: 'Run:' },
      'reject-unknown-fields': { type: 'boolean', default: d.rejectUnknownFields, describe: 'Add rejectUnknownFields=true (--no-reject-unknown-fields to omit)', group: 'Run:' },
      'log-level': { type: 'string', default: d.logLevel, choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], describe: 'Log level (pino)', group: 'Run:' },
    }) as unknown as Argv<MainArgs>;
}

function simulateOptions(y: Argv): Argv<SimulateArgs> {
  return y.options({
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
  }) as unknown as Argv<SimulateArgs>;
}

/** The exit codes as `--help` lists them, from the one table in errors.ts. */
export function exitCodeHelp(): string {
  const rows = (Object.keys(EXIT) as Array<keyof typeof EXIT>).map((name) => `  ${String(EXIT[name]).padEnd(5)}${EXIT_MEANINGS[name]}`);
  return ['Exit codes:', ...rows].join('\n');
}

async function runSimulate(args: SimulateArgs): Promise<number> {
  // Loaded only for `simulate`: a run against Zuora does not carry the simulator in memory.
  const { simulateCommand } = await import('../simulator/simulate-command.js');
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const started = await simulateCommand(args, { stdout: process.stdout, stderr: process.stderr, stopped });
  return started ? EXIT.ok : EXIT.couldNotStart;
}

/**
 * Parses the command line and runs the command it names; resolves the exit code. Usage errors print
 * the problem and exit 1 at once (yargs' own `--help` and `--version` exit 0).
 */
export async function runCommandLine(argv: string[]): Promise<number> {
  const version = packageVersion();
  let exitCode: number = EXIT.ok;
  await yargs(argv)
    .scriptName('zuora-usage-update')
    .usage('$0 <input.csv> [options]\n\nApply corrected usage records from a CSV to Zuora: one PUT /v1/object/usage/{id} per row, or batches through /v1/action/update (--transport actions).')
    .command('$0 <input>', 'Apply the corrections in <input>', mainOptions, async (args) => {
      exitCode = await runMain(args as unknown as MainArgs, version);
    })
    .command('simulate', 'Run the built-in Zuora simulator on a loopback port', simulateOptions, async (args) => {
      exitCode = await runSimulate(args as unknown as SimulateArgs);
    })
    .env(false)
    .strict()
    .version(version)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .epilogue(
      ['Credentials come from the environment only: ZUORA_CLIENT_ID + ZUORA_CLIENT_SECRET (OAuth client), or ZUORA_ACCESS_TOKEN.', '', exitCodeHelp()].join('\n'),
    )
    .fail((message, error) => {
      if (error) throw error;
      process.stderr.write(`zuora-usage-update: ${message}\nRun zuora-usage-update --help for the options.\n`);
      process.exit(EXIT.couldNotStart);
    })
    .parseAsync();
  return exitCode;
}
