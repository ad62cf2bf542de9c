import { readFileSync } from 'node:fs';
import yargs, { type Argv, type MiddlewareFunction } from 'yargs';
import { MAIN_OPTIONS } from '../config/main-options.js';
import { printConfig } from '../config/print-config.js';
import { resolveSettings, type ResolvedSettings } from '../config/resolve-settings.js';
import { CONFIG_OPTIONS, PRINT_CONFIG_FLAG } from '../config/settings.js';
import { EXIT, EXIT_MEANINGS, RunError } from '../errors.js';
import { ENVIRONMENT_NAMES } from '../options.js';
import type { SimulateArgs } from '../simulator/simulate-command.js';
import type { MainArgs } from './build-run-options.js';
import { defaultsAsText } from './defaults-as-text.js';
import { EXPORT_SETTINGS, exportOptions, runExportCommand, type ExportArgs } from './export-command.js';
import { replayEarlySignals } from './early-signals.js';
import { explainUsageError, type KnownFlags } from './usage-words.js';
import { reportStartFailure, runMain } from './run-main.js';

/** The package version, read when the command line is parsed (the path holds in `dist/src/cli/`, where the bin runs). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** The main command's options for yargs; the settings stage applies their defaults (defaults-as-text.ts). */
export function mainOptions(y: Argv): Argv<MainArgs> {
  return y
    .positional('input', { type: 'string', describe: 'Corrections CSV: one usage record per row, with an Id column', demandOption: true })
    .options(defaultsAsText({ ...MAIN_OPTIONS, ...CONFIG_OPTIONS })) as unknown as Argv<MainArgs>;
}

/** Ends a command line at `--print-config`, before yargs would refuse a flag that the settings it prints name instead. */
class ConfigShown {
  constructor(readonly text: string) {}
}

function simulateOptions(y: Argv): Argv<SimulateArgs> {
  return y.options(SIMULATE_OPTIONS) as unknown as Argv<SimulateArgs>;
}

const SIMULATE_OPTIONS = {
    port: { type: 'number', default: 8080, describe: 'Port on 127.0.0.1 (0 = any free port)' },
    'token-lifetime': { type: 'number', describe: 'OAuth token lifetime in seconds [default: 3599]' },
    latency: { type: 'number', describe: 'Added latency per usage request, in ms [default: 0]' },
    'time-zone': { type: 'string', describe: 'Tenant time zone offset, e.g. -08:00 [default: -08:00]' },
    'rate-limit-per-second': { type: 'number', describe: 'Usage requests per second before 429 (RateLimit-* headers)' },
    'rate-limit-per-minute': { type: 'number', describe: 'Usage requests per minute before 429' },
    'concurrency-limit': { type: 'number', describe: 'Usage requests in flight before 429 (Concurrency-Limit-* headers)' },
    'chaos-rate': { type: 'number', describe: 'Share of usage requests (0..1) that get a random fault: 5xx, drop, slow, lock' },
    'chaos-seed': { type: 'number', describe: 'Seed of the random faults, to replay a run' },
    'chaos-object-rate': { type: 'number', describe: 'Share of Actions update objects (0..1) answered "try later" one by one; the call itself succeeds' },
    'refuse-usage-updates': {
      type: 'string',
      choices: ['objects', 'call'],
      describe: 'Act as a tenant that does not take Usage through POST /v1/action/update: refuse every object, or the whole call',
    },
    'ignore-fields': {
      type: 'string',
      describe: 'Comma-separated fields that updates acknowledge but never store (e.g. Quantity): a run that verifies catches it',
      coerce: (value: string | string[]) => [value].flat().flatMap((text) => String(text).split(',')).map((field) => field.trim()).filter(Boolean),
    },
    'hold-first-update': {
      type: 'number',
      describe: 'Hold the first PUT of each usage id without an answer and apply it this many ms later (a late request; try --settle)',
    },
    'accept-any-id': { type: 'boolean', default: false, describe: 'Create unknown well-formed ids on first use (for generated files)' },
} as const;

/** The flags of the command a command line runs, for "did you mean" (usage-words.ts). */
function knownFlags(simulate: boolean): KnownFlags {
  const options = (simulate ? SIMULATE_OPTIONS : { ...MAIN_OPTIONS, ...CONFIG_OPTIONS }) as unknown as Record<string, { alias?: string }>;
  const flags = Object.entries(options).flatMap(([name, option]) => [name, ...(option.alias ? [option.alias] : [])]);
  return { flags: [...flags, 'help', 'version'], environments: ENVIRONMENT_NAMES };
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
  replayEarlySignals();
  const started = await simulateCommand(args, { stdout: process.stdout, stderr: process.stderr, stopped });
  return started ? EXIT.ok : EXIT.couldNotStart;
}

/**
 * Parses the command line once and runs the command it names; resolves the exit code. The settings
 * of the main command (and those `export` shares with it) are merged from flags, the environment and
 * a config file (config/) between yargs' parse and its checks; a bad setting or a usage error is
 * reported like every start failure, exit 1 (yargs' own `--help` and `--version` exit 0).
 */
export async function runCommandLine(argv: string[]): Promise<number> {
  const version = packageVersion();
  const settings: { resolved?: ResolvedSettings } = {};
  try {
    return await parseAndRun(argv, version, settings);
  } catch (error) {
    if (error instanceof ConfigShown) {
      process.stdout.write(error.text);
      return EXIT.ok;
    }
    return reportStartFailure(error, version, argv, settings.resolved?.args['log-format']);
  }
}

/**
 * The settings stage, as yargs middleware: it sees the flags as parsed (unknown ones and a missing
 * input included, which `--print-config` shows), merges the environment and the config file into
 * them, and hands the result on to yargs' checks and the command. `only`: the settings `export`
 * shares with the main command.
 */
function applySettings<T>(settings: { resolved?: ResolvedSettings }, only?: ReadonlySet<string>): MiddlewareFunction<T> {
  return (parsed) => {
    const flags = parsed as unknown as Record<string, unknown>;
    if (flags.help === true || flags.version === true) return;
    const resolved = resolveSettings(flags, process.env, process.cwd(), only);
    settings.resolved = resolved;
    if (resolved.printConfig) throw new ConfigShown(printConfig(resolved, process.env, process.cwd()));
    Object.assign(flags, resolved.args);
  };
}

/** `--print-config` on the command line: it shows the settings whether or not an input file is given. */
function asksPrintConfig(argv: readonly string[]): boolean {
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length;
  return argv.slice(0, end).includes(`--${PRINT_CONFIG_FLAG}`);
}

async function parseAndRun(argv: string[], version: string, settings: { resolved?: ResolvedSettings }): Promise<number> {
  let exitCode: number = EXIT.ok;
  await yargs(argv)
    .scriptName('zuora-usage-update')
    .usage('$0 <input.csv> [options]\n\nApply corrected usage records from a CSV to Zuora: one PUT /v1/object/usage/{id} per row, or batches through /v1/action/update (--transport actions).')
    .command('$0 <input>', 'Apply the corrections in <input>', (y) => mainOptions(y).middleware(applySettings<MainArgs>(settings), true), async (args) => {
      exitCode = await runMain(args as unknown as MainArgs, version);
    })
    .command('export', 'Write usage records from Zuora as an input file to edit and apply (see the README walkthrough)', (y) => exportOptions(y).middleware(applySettings<ExportArgs>(settings, EXPORT_SETTINGS), true), async (args) => {
      exitCode = await runExportCommand(args as unknown as ExportArgs, version);
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
      // No input: `--print-config` still shows what a run would get (the settings stage ends the parse).
      if (/^Not enough non-option arguments/.test(message) && asksPrintConfig(argv)) return;
      throw new RunError('BAD_OPTION', explainUsageError(message, knownFlags(argv[0] === 'simulate')));
    })
    .parseAsync();
  return exitCode;
}
