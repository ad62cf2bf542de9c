import type { RunSummary } from '../output/summary.js';
import type { QuantityTotals } from './quantity-totals.js';
import type { ReportCollector, ReportRows } from './report-collector.js';

/** What the CLI edge knows of a run before it starts: who, where, what. */
export interface ReportContext {
  /** The `--report` path. */
  path: string;
  version: string;
  mode: 'preview' | 'dry-run' | 'run';
  /** `--env` name (with its label) or the base URL without credentials; `local` for the built-in simulator. */
  target: string;
  entityIds?: string;
  orgIds?: string;
  transport: string;
  verify: boolean;
  backup?: string;
  /** The user name, or `uid <n>` when the user has no name (many containers), and the host. */
  user: string;
  host: string;
  startedAt: number;
  input: string;
  /** The input's SHA-256 in hex, once computed (it is read as the run starts). */
  inputSha256(): string | undefined;
  out: string;
  failures?: string;
  summaryJson?: string;
  /** The command that puts the backed-up values back, when there is a backup. */
  restoreCommand?: string;
  trackPrefix: string;
}

/** How the run ended, as far as the report can tell. */
export interface ReportEnd {
  status: 'completed' | 'stopped' | 'interrupted' | 'failed' | 'exited';
  exitCode: number;
  endedAt: number;
  stopReason?: string;
  nextStep?: string;
  /** An error that ended the run (exit 1, 3 or 130 without a summary). */
  error?: { code: string; message: string };
}

/** Everything one report shows. */
export interface ReportData {
  context: ReportContext;
  end: ReportEnd;
  rows: ReportRows;
  /** Records the run never reached (only known from a summary). */
  notReached?: number;
  /** Requests by kind (absent in a dry run). */
  requests?: { updates: number; reads: number; tokens: number; pauses: { count: number; ms: number } };
  /** Retries of update requests (only known from a summary). */
  retries?: number;
  quantities?: QuantityTotals;
  verify?: RunSummary['verify'];
  backup?: RunSummary['backup'];
  elapsedMs: number;
}

/** The report's data from the collector, and the summary when the run ended with one. */
export function reportData(context: ReportContext, collector: ReportCollector, end: ReportEnd, summary?: RunSummary): ReportData {
  const live = collector.live();
  const requests = live.requests?.();
  return {
    context,
    end,
    rows: collector.rows(),
    ...(summary ? { notReached: summary.notReached, retries: summary.retries } : {}),
    ...(requests ? { requests } : {}),
    ...(live.ledger ? { quantities: live.ledger.totals() } : {}),
    ...(summary?.verify ? { verify: summary.verify } : {}),
    ...(summary?.backup ? { backup: summary.backup } : context.backup ? { backup: { path: context.backup, ids: -1 } } : {}),
    elapsedMs: end.endedAt - context.startedAt,
  };
}
