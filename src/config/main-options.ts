import { EXIT } from '../errors.js';
import { DEFAULTS, ENVIRONMENT_NAMES, LOG_FORMATS, TRANSPORTS } from '../options.js';
import { DATE_FORMATS } from '../rows/date-time.js';
import { MAX_BATCH_SIZE } from '../send/post-update-batch.js';

/**
 * The options of the main command, in yargs' terms: the one home of their names, types and choices;
 * their defaults come from DEFAULTS (options.ts). `--help` shows them (cli/command-line.ts hands yargs
 * each default as text only: config/resolve-settings.ts applies it, after the environment and the
 * config file, so it can tell a value given from a default); settings.ts reads them to know what the
 * environment and a config file may give.
 */
export const MAIN_OPTIONS = {
  env: { type: 'string', choices: ENVIRONMENT_NAMES, describe: 'Zuora environment (or ZUORA_ENV); local = built-in simulator', group: 'Target:' },
  'base-url': { type: 'string', describe: 'Any REST base URL (or ZUORA_BASE_URL); overrides --env. http:// only to loopback', group: 'Target:' },
  'entity-ids': { type: 'string', describe: 'Send Zuora-Entity-Ids (multi-entity tenants)', group: 'Target:' },
  'org-ids': { type: 'string', describe: 'Send Zuora-Org-Ids', group: 'Target:' },
  'zuora-version': { type: 'string', describe: 'Send Zuora-Version', group: 'Target:' },
  out: { alias: 'o', type: 'string', describe: 'Results CSV [default: <input>.results.csv]', group: 'Files:' },
  failures: { type: 'string', describe: 'Failures CSV, itself a valid input [default: <input>.failures.csv]', group: 'Files:' },
  'summary-json': { type: 'string', describe: 'Also write the run summary as JSON to this file', group: 'Files:' },
  report: { type: 'string', describe: 'Also write a self-contained HTML report (preview, dry run or run) to this file', group: 'Files:' },
  delimiter: { type: 'string', describe: 'Force the delimiter: , ; | or tab [default: detected from the header line]', group: 'Input:' },
  encoding: { type: 'string', default: DEFAULTS.encoding, describe: 'Encoding of the input: utf-8, windows-1252 (Excel "CSV" on Windows) or latin1', group: 'Input:' },
  'date-format': { type: 'string', choices: DATE_FORMATS, describe: 'Also accept this date format besides ISO (optionally with HH:MM[:SS])', group: 'Input:' },
  'decimal-comma': { type: 'boolean', default: DEFAULTS.decimalComma, describe: 'Quantities are written with a decimal comma (42,5); only with a ; tab or | delimiter', group: 'Input:' },
  'ignore-unknown-columns': { type: 'boolean', default: DEFAULTS.ignoreUnknownColumns, describe: 'Carry unknown columns along instead of stopping', group: 'Input:' },
  'dry-run': { type: 'boolean', default: DEFAULTS.dryRun, describe: 'Read and validate everything, send nothing', group: 'Run:' },
  preview: { type: 'boolean', default: DEFAULTS.preview, describe: 'Read current values, change nothing: writes <input>.preview.csv (or --out) with before_ columns', group: 'Look before you leap:' },
  backup: { type: 'string', describe: "Save each Id's values before this run changes it, as a restorable input file", group: 'Look before you leap:' },
  'allow-times-1000': {
    type: 'boolean',
    default: DEFAULTS.allowTimes1000,
    describe: "Accept a Quantity exactly 1000 × Zuora's (a deliberate unit change); refused by default where records are read first",
    group: 'Look before you leap:',
  },
  verify: { type: 'boolean', default: DEFAULTS.verify, describe: 'Read each updated record back and compare with what was sent', group: 'Look before you leap:' },
  'skip-unchanged': {
    type: 'boolean',
    default: DEFAULTS.skipUnchanged,
    describe: 'Read each Id first (200 a request) and send only the rows that change something; the others are unchanged',
    group: 'Look before you leap:',
  },
  resume: { type: 'boolean', default: DEFAULTS.resume, describe: 'Finish an earlier run of the same input and --out', group: 'Run:' },
  overwrite: {
    type: 'boolean',
    default: DEFAULTS.overwrite,
    describe: "Start over although --out holds an unfinished run's results (without it, or --resume, they are refused)",
    group: 'Run:',
  },
  concurrency: { alias: 'c', type: 'number', default: DEFAULTS.concurrency, describe: 'Most requests in flight', group: 'Run:' },
  'max-attempts': { type: 'number', default: DEFAULTS.maxAttempts, describe: 'Attempts per row, the first included', group: 'Run:' },
  timeout: { type: 'number', default: DEFAULTS.timeoutMs, describe: 'Limit for one attempt, in ms', group: 'Run:' },
  'max-failures': {
    type: 'string',
    describe: `Stop early (exit ${EXIT.stoppedEarly}) after more than n failed rows, or p% of answered rows (e.g. 50 or 10%)`,
    group: 'Run:',
  },
  settle: {
    type: 'number',
    describe:
      'For Ids with a request that got no answer: wait until it is this many seconds old, read them back and re-send the last row where Zuora holds another value [default: off: such a row ends unknown EARLIER_ATTEMPT_IN_DOUBT]',
    group: 'Run:',
  },
  'track-prefix': { type: 'string', describe: 'Prefix of each Zuora-Track-Id (<prefix>-<line>) [default: generated per run]', group: 'Run:' },
  gzip: { type: 'boolean', default: DEFAULTS.gzip, describe: 'Gzip request bodies (--no-gzip to send plain JSON)', group: 'Run:' },
  transport: {
    type: 'string',
    choices: TRANSPORTS,
    default: DEFAULTS.transport,
    describe: 'put: one PUT /v1/object/usage/{id} a row; actions: POST /v1/action/update, up to --batch-size rows a request (try on a sandbox first)',
    group: 'Run:',
  },
  'batch-size': { type: 'number', describe: `Rows per Actions call with --transport actions, 1 to ${MAX_BATCH_SIZE} [default: ${MAX_BATCH_SIZE}]`, group: 'Run:' },
  'reject-unknown-fields': { type: 'boolean', default: DEFAULTS.rejectUnknownFields, describe: 'Add rejectUnknownFields=true (--no-reject-unknown-fields to omit)', group: 'Run:' },
  'log-level': { type: 'string', default: DEFAULTS.logLevel, choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], describe: 'Log level (pino)', group: 'Run:' },
  'log-format': {
    type: 'string',
    choices: LOG_FORMATS,
    describe: 'text: readable lines and a summary block; json: JSON lines, the summary as one line [default: text on a terminal, else json]',
    group: 'Run:',
  },
} as const;
