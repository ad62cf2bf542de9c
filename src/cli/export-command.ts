import type { Argv } from 'yargs';
import { MAIN_OPTIONS } from '../config/main-options.js';
import { EXIT, RunError } from '../errors.js';
import { checkExportFilters, type ExportFilterFlags } from '../export/export-query.js';
import { formatExportSummary, runExport, type ExportOptions, type ExportProgress } from '../export/run-export.js';
import { parseDelimiterOption } from '../input/read-rows.js';
import { createLogger } from '../logger.js';
import { checkTrackPrefix, generateTrackPrefix } from '../options.js';
import { buildTarget, readCredentials, type TargetArgs } from './build-run-options.js';
import { defaultsAsText } from './defaults-as-text.js';
import { watchInterrupts } from './interrupts.js';
import { errorExit } from './run-error-exit.js';

/** The parsed flags of `export`, as yargs gives them. */
export interface ExportArgs extends TargetArgs, ExportFilterFlags {
  out: string;
  delimiter?: string;
  decimalComma: boolean;
  overwrite: boolean;
  logLevel: string;
}

/** The flags of `export`: its filters and file shape, plus the run's target, limits and retries. */
export const EXPORT_OPTIONS = {
  out: { alias: 'o', type: 'string', demandOption: true, describe: 'The export file, written as an input file of this tool', group: 'Export:' },
  account: { type: 'string', describe: 'Account numbers, comma-separated (one query each)', group: 'Export:' },
  from: { type: 'string', describe: 'StartDateTime from (inclusive), e.g. 2026-10-01; tenant time unless an offset is given', group: 'Export:' },
  to: { type: 'string', describe: 'StartDateTime to (exclusive), e.g. 2026-11-01', group: 'Export:' },
  status: { type: 'string', describe: 'RbeStatus: Importing, Pending or Processed', group: 'Export:' },
  uom: { type: 'string', describe: 'Unit of measure, e.g. GB', group: 'Export:' },
  fields: { type: 'string', describe: 'Custom fields to export as updatable columns, comma-separated (e.g. Region__c)', group: 'Export:' },
  where: { type: 'string', describe: `A ZOQL condition added with "and", e.g. "Region__c = 'EMEA'" (no or, no IN, at most 200 conditions)`, group: 'Export:' },
  delimiter: { type: 'string', describe: 'Delimiter of the file: , ; | or tab [default: , or ; with --decimal-comma]', group: 'Export:' },
  'decimal-comma': { type: 'boolean', default: false, describe: 'Write quantities with a decimal comma (42,5); the delimiter is then ; unless --delimiter says | or tab', group: 'Export:' },
  overwrite: { type: 'boolean', default: false, describe: 'Replace an existing file at -o', group: 'Export:' },
  env: MAIN_OPTIONS.env,
  'base-url': MAIN_OPTIONS['base-url'],
  'entity-ids': MAIN_OPTIONS['entity-ids'],
  'org-ids': MAIN_OPTIONS['org-ids'],
  'zuora-version': MAIN_OPTIONS['zuora-version'],
  concurrency: MAIN_OPTIONS.concurrency,
  'max-attempts': MAIN_OPTIONS['max-attempts'],
  timeout: MAIN_OPTIONS.timeout,
  'track-prefix': { type: 'string', describe: 'Prefix of each Zuora-Track-Id (<prefix>-x<n>) [default: generated per export]', group: 'Run:' },
  gzip: MAIN_OPTIONS.gzip,
  'log-level': MAIN_OPTIONS['log-level'],
} as const;

/**
 * The settings `export` shares with the main command, which it takes from flags, the environment and
 * the config file as a run does (its target, limits and log level): the options it takes as they are
 * from MAIN_OPTIONS. The others are its own, from its flags only (`-o`, `--delimiter`, `--overwrite`
 * mean something else here), and a run's settings in the environment or the file are left to runs.
 */
export const EXPORT_SETTINGS: ReadonlySet<string> = new Set(
  Object.entries(EXPORT_OPTIONS)
    .filter(([name, option]) => (MAIN_OPTIONS as Readonly<Record<string, unknown>>)[name] === option)
    .map(([name]) => name),
);

export function exportOptions(y: Argv): Argv<ExportArgs> {
  return y.options(defaultsAsText(EXPORT_OPTIONS, EXPORT_SETTINGS)) as unknown as Argv<ExportArgs>;
}

/** Turns the flags and the environment into export options; throws RunError('BAD_OPTION' | 'AUTH_FAILED'). */
export function buildExportOptions(args: ExportArgs, env: NodeJS.ProcessEnv): ExportOptions {
  for (const [name, value] of Object.entries(args)) {
    if (Array.isArray(value) && name !== '_' && name.length > 1 && !/[A-Z]/.test(name)) {
      throw new RunError('BAD_OPTION', `--${name} was given ${value.length} times; give it once${['account', 'fields'].includes(name) ? ', with the values comma-separated' : ''}.`);
    }
  }
  if (args.out.trim() === '') throw new RunError('BAD_OPTION', '-o needs a file name, e.g. -o usage.csv');
  const delimiter = args.delimiter === undefined ? (args.decimalComma ? ';' : ',') : parseDelimiterOption(args.delimiter);
  if (args.decimalComma && delimiter === ',') {
    throw new RunError('BAD_OPTION', '--decimal-comma with --delimiter ",": a decimal comma needs another delimiter; use ; (the default with --decimal-comma), | or tab.');
  }
  const integer = (flag: string, value: number, min: number, max: number): number => {
    if (!Number.isInteger(value) || value < min || value > max) throw new RunError('BAD_OPTION', `${flag} must be a whole number from ${min} to ${max}; got "${value}".`);
    return value;
  };
  const trackPrefix = args.trackPrefix ?? generateTrackPrefix();
  const prefixProblem = checkTrackPrefix(trackPrefix);
  if (prefixProblem) throw new RunError('BAD_OPTION', prefixProblem);
  const target = buildTarget(args, env);
  return {
    out: args.out,
    overwrite: args.overwrite,
    filters: checkExportFilters(args),
    delimiter,
    decimalComma: args.decimalComma,
    target,
    credentials: target.kind === 'local' ? undefined : readCredentials(env),
    entityIds: args.entityIds,
    orgIds: args.orgIds,
    zuoraVersion: args.zuoraVersion,
    concurrency: integer('--concurrency', args.concurrency, 1, 256),
    maxAttempts: integer('--max-attempts', args.maxAttempts, 1, 50),
    timeoutMs: integer('--timeout', args.timeout, 100, 600_000),
    trackPrefix,
    gzip: args.gzip,
    rejectUnknownFields: true,
  };
}

/** `zuora-usage-update export`: options, the export, its summary; resolves the exit code. */
export async function runExportCommand(args: ExportArgs, version: string): Promise<number> {
  const logger = await createLogger({ level: args.logLevel, pretty: process.stderr.isTTY === true });
  const interrupts = watchInterrupts({
    emitter: process,
    now: Date.now,
    onFirst: (signal) => logger.warn({ signal }, 'interrupted: stopping the export; nothing is written under -o'),
    onRepeat: () => process.exit(EXIT.interrupted),
  });
  try {
    const options = buildExportOptions(args, process.env);
    const progress = process.stderr.isTTY && args.logLevel !== 'silent' ? terminalExportProgress(process.stderr) : undefined;
    const summary = await runExport(options, { logger, signal: interrupts.signal, progress, userAgent: `zuora-usage-update/${version}` });
    logger.info(
      { status: summary.status, records: summary.records, pages: summary.pages, requests: summary.requests, tokenRequests: summary.tokenRequests, ms: summary.endedAt - summary.startedAt, exitCode: summary.exitCode },
      'export finished',
    );
    process.stderr.write(formatExportSummary(summary));
    return summary.exitCode;
  } catch (error) {
    const failure = errorExit(error);
    if (failure.unexpected) logger.fatal({ err: error }, 'unexpected error');
    else logger.error({ code: failure.code }, failure.message);
    process.stderr.write(`\nzuora-usage-update export: ${failure.message}\n`);
    return failure.exitCode;
  } finally {
    interrupts.dispose();
  }
}

/** One line on a terminal, redrawn at most 5 times a second and cleared at the end. */
function terminalExportProgress(stream: NodeJS.WriteStream, now: () => number = Date.now): ExportProgress {
  const started = now();
  let drawn = 0;
  let shown = false;
  return {
    tick({ records, pages }) {
      const at = now();
      if (at - drawn < 200) return;
      drawn = at;
      const seconds = (at - started) / 1000;
      stream.write(`\r\u001b[K exported ${records} records, ${pages} pages | ${seconds > 0 ? Math.round(records / seconds) : 0} records/s`);
      shown = true;
    },
    stop() {
      if (shown) stream.write('\r\u001b[K');
      shown = false;
    },
  };
}
