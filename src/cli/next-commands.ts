import type { RunOptions } from '../options.js';
import { shellQuote } from '../output/shell-quote.js';
import type { NextCommands } from '../output/next-step.js';
import { MAIN_ARG_DEFAULTS, type MainArgs } from './build-run-options.js';

/**
 * The commands a summary may advise, repeating this run's target and sending options: finish this
 * input (`--resume`), send it for real after a dry run, send the failures file, preview again, or apply
 * after a preview. A command on this run's input keeps every path option given, so following it writes
 * the same files; the failures run keeps `--summary-json` only, since its own results and failures go
 * beside the failures file. `--backup` goes on: a resumed run appends to the same backup, a run of
 * another file backs up into a new one beside that file (an existing backup is never overwritten).
 */
export function nextCommands(args: MainArgs, options: Pick<RunOptions, 'input' | 'out' | 'failures'>): NextCommands {
  const flags = sendingFlags(args);
  const command = (input: string, extra: string[]): string =>
    ['zuora-usage-update', input, ...extra, ...flags].map(shellQuote).join(' ');
  const given = (flag: string, value: string | undefined): string[] => (value === undefined ? [] : [flag, value]);
  const summaryJson = given('--summary-json', args.summaryJson);
  const sameInputPaths = [...given('--failures', args.failures), ...summaryJson];
  const newBackup = (input: string): string[] => (args.backup === undefined ? [] : ['--backup', backupBeside(input)]);
  // Not in sendingFlags: a preview command cannot take it.
  const skip = args.skipUnchanged ? ['--skip-unchanged'] : [];
  return {
    resume: command(options.input, ['--resume', '--out', options.out, ...sameInputPaths, ...given('--backup', args.backup), ...skip]),
    send: command(options.input, [...given('--out', args.out), ...sameInputPaths, ...newBackup(options.input), ...skip]),
    sendFailures: command(options.failures, [...summaryJson, ...newBackup(options.failures), ...skip]),
    ...(args.transport === 'actions'
      ? {
          // Said explicitly, though it is the default: the point of the advice.
          sendFailuresPut: ['zuora-usage-update', options.failures, ...summaryJson, ...newBackup(options.failures), ...skip, ...sendingFlags({ ...args, transport: 'put', batchSize: undefined }), '--transport', 'put']
            .map(shellQuote)
            .join(' '),
        }
      : {}),
    preview: command(options.input, ['--preview', '--out', options.out, ...summaryJson]),
    applyWithBackup: command(options.input, [...summaryJson, '--backup', backupBeside(options.input), '--verify']),
    previewFirst: command(options.input, ['--preview', ...summaryJson]),
    ...(args.backup === undefined ? {} : { restore: command(args.backup, [...summaryJson]) }),
  };
}

/** A new backup file beside an input: `<input without .csv>.backup.csv`. */
function backupBeside(input: string): string {
  return `${input.replace(/\.csv$/i, '')}.backup.csv`;
}

/** The target and every option given that differs from its default, as flags. */
function sendingFlags(args: MainArgs): string[] {
  const flags: string[] = [];
  if (args.baseUrl) flags.push('--base-url', args.baseUrl);
  else if (args.env) flags.push('--env', args.env);
  const add = (flag: string, value: string | number | undefined, fallback?: string | number): void => {
    if (value !== undefined && value !== fallback) flags.push(flag, String(value));
  };
  add('--entity-ids', args.entityIds);
  add('--org-ids', args.orgIds);
  add('--zuora-version', args.zuoraVersion);
  add('--concurrency', args.concurrency, MAIN_ARG_DEFAULTS.concurrency);
  add('--max-attempts', args.maxAttempts, MAIN_ARG_DEFAULTS.maxAttempts);
  add('--timeout', args.timeout, MAIN_ARG_DEFAULTS.timeout);
  add('--date-format', args.dateFormat);
  if (args.decimalComma) flags.push('--decimal-comma');
  add('--delimiter', args.delimiter);
  add('--encoding', args.encoding, MAIN_ARG_DEFAULTS.encoding);
  add('--max-failures', args.maxFailures);
  if (args.verify) flags.push('--verify');
  if (args.allowTimes1000) flags.push('--allow-times-1000');
  add('--transport', args.transport, MAIN_ARG_DEFAULTS.transport);
  add('--batch-size', args.batchSize);
  if (args.ignoreUnknownColumns) flags.push('--ignore-unknown-columns');
  if (!args.gzip) flags.push('--no-gzip');
  if (!args.rejectUnknownFields) flags.push('--no-reject-unknown-fields');
  return flags;
}
