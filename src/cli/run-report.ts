import { createHash } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import type { Logger } from 'pino';
import { urlWithoutSecrets } from '../config/mask-secrets.js';
import { EXIT } from '../errors.js';
import { ZUORA_ENVIRONMENTS, type RunOptions } from '../options.js';
import { shellQuote } from '../output/shell-quote.js';
import type { Summary } from '../output/summary.js';
import type { RunFailure } from '../output/summary-json.js';
import { renderReport } from '../report/render-report.js';
import { createReportCollector, type ReportCollector } from '../report/report-collector.js';
import { reportData, type ReportContext, type ReportEnd } from '../report/report-data.js';
import type { MainArgs } from './build-run-options.js';

/**
 * `--report`: the collector `run()` feeds, and the writing of the page on every way a started run
 * ends (a summary, an error, or the process exiting at a second signal). A run that never started
 * writing its outputs writes no report, like every other file.
 */
export interface RunReport {
  collector: ReportCollector;
  finished(summary: Summary): void;
  failed(failure: RunFailure): void;
}

export interface RunReportDeps {
  logger: Logger;
  version: string;
  now: () => number;
  /** `process.once('exit')` in production: a second signal exits at once. */
  onExit?: (listener: (code: number) => void) => void;
}

/** Starts the report of this run when `--report` is given (and starts reading the input's digest). */
export function startRunReport(args: MainArgs, options: RunOptions, deps: RunReportDeps): RunReport | undefined {
  if (options.report === undefined) return undefined;
  const path = options.report;
  let sha256: string | undefined;
  digest(options.input).then(
    (hex) => (sha256 = hex),
    () => undefined,
  );
  const context: ReportContext = {
    path,
    version: deps.version,
    mode: options.preview ? 'preview' : options.dryRun ? 'dry-run' : 'run',
    target: targetText(args, options),
    entityIds: options.entityIds,
    orgIds: options.orgIds,
    transport: options.transport ?? 'put',
    verify: options.verify === true,
    backup: options.backup,
    ...whoRuns(),
    startedAt: deps.now(),
    input: options.input,
    inputSha256: () => sha256,
    out: options.out,
    failures: options.preview ? undefined : options.failures,
    summaryJson: options.summaryJson,
    restoreCommand: options.backup === undefined ? undefined : restoreCommand(args, options.backup),
    trackPrefix: options.trackPrefix,
  };
  const collector = createReportCollector();
  let written = false;
  const write = (end: ReportEnd, summary?: Summary): void => {
    if (written || !collector.started) return;
    written = true;
    try {
      writeFileSync(path, renderReport(reportData(context, collector, end, summary)));
      deps.logger.info({ report: path }, 'report written');
    } catch (error) {
      deps.logger.error({ code: 'OUTPUT_UNWRITABLE' }, `Cannot write --report ${path}: ${(error as Error).message}`);
    }
  };
  (deps.onExit ?? ((listener) => process.once('exit', listener)))((code) => {
    write({ status: 'exited', exitCode: code, endedAt: deps.now(), error: { code: code === EXIT.interrupted ? 'INTERRUPTED' : 'EXITED', message: 'The process exited before the run ended (a second signal exits at once): rows in flight have no result. Run again with --resume.' } });
  });
  return {
    collector,
    finished(summary) {
      write({ status: summary.status, exitCode: summary.exitCode, endedAt: deps.now(), stopReason: summary.stopReason, nextStep: summary.nextStep }, summary);
    },
    failed(failure) {
      write({ status: 'failed', exitCode: failure.exitCode, endedAt: deps.now(), error: { code: failure.code, message: failure.message } });
    },
  };
}

/** The input's SHA-256, read as a stream (flat memory at any size). */
async function digest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Where the user and host come from: the operating system's answers by default. */
export interface WhoRunsSources {
  userName(): string | undefined;
  uid(): number | undefined;
  host(): string;
}

const OS_SOURCES: WhoRunsSources = {
  userName: () => userInfo().username,
  uid: () => (typeof process.getuid === 'function' ? process.getuid() : undefined),
  host: () => hostname(),
};

/** The user (or `uid <n>` where the user has no name, as in many containers) and the host. */
export function whoRuns(sources: WhoRunsSources = OS_SOURCES): { user: string; host: string } {
  let user: string | undefined;
  try {
    user = sources.userName() || undefined;
  } catch {
    // No passwd entry for this uid: os.userInfo() throws.
  }
  const uid = sources.uid();
  return { user: user ?? (uid === undefined ? 'unknown user' : `uid ${uid}`), host: sources.host() };
}

function targetText(args: MainArgs, options: RunOptions): string {
  if (options.target.kind === 'local') return 'local (the built-in simulator)';
  const url = urlWithoutSecrets(options.target.baseUrl);
  const env = args.baseUrl ? undefined : (args.env as keyof typeof ZUORA_ENVIRONMENTS | undefined);
  const known = env ? ZUORA_ENVIRONMENTS[env] : undefined;
  return known ? `${env} (${known.label}, ${url})` : url;
}

/** Restores the backed-up values: the backup as input, on the same target. */
function restoreCommand(args: MainArgs, backup: string): string {
  const target = args.baseUrl ? ['--base-url', args.baseUrl] : args.env ? ['--env', args.env] : [];
  const scope = [...(args.entityIds ? ['--entity-ids', args.entityIds] : []), ...(args.orgIds ? ['--org-ids', args.orgIds] : [])];
  return ['zuora-usage-update', backup, ...target, ...scope, '--verify'].map(shellQuote).join(' ');
}
