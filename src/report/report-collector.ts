import { DONE_RESULTS, type RowOutcome, type RowResult } from '../row-outcome.js';
import type { QuantityTotals } from './quantity-totals.js';

/** One row as the report shows it: where it is, and what was said of it. */
export interface ReportRow {
  line: number;
  id: string;
  result: RowResult;
  message: string;
}

/** The failed rows of one `error_code`: how many, of which results, and the first few. */
export interface ErrorGroup {
  code: string;
  count: number;
  /** Results of the rows in the group, with their counts. */
  results: Partial<Record<RowResult, number>>;
  first: ReportRow[];
}

/** What a run tells the report while it goes on, read whenever the report is written. */
export interface LiveRunFacts {
  /** The quantity totals, when the run reads records before changing them (`--preview`, `--backup`). */
  ledger?: { totals(): QuantityTotals };
  /** Requests so far by kind, and the pauses Zuora asked for; undefined in a dry run. */
  requests?(): { updates: number; reads: number; tokens: number; pauses: { count: number; ms: number } };
}

/** The side of the report that `run()` feeds: told once the run writes its outputs, then every row. */
export interface RunReporter {
  /** The run has started writing its outputs: from now on a report is written however it ends. */
  start(live: LiveRunFacts): void;
  /** One row's outcome, as it is written to the results. */
  row(outcome: RowOutcome): void;
}

/** What the collector holds at any moment: aggregates and first rows only, never a row per record. */
export interface ReportRows {
  counts: Partial<Record<RowResult, number>>;
  rows: number;
  /** Failure groups, `QUANTITY_TIMES_1000` first, then by count (largest first). */
  errors: ErrorGroup[];
  /** Rows blocked as billed: how many, and the first few. */
  blocked: { count: number; first: ReportRow[] };
  /** Rows whose message came from verify (`VERIFY_MISMATCH`, `NOT_VERIFIED`, `VERIFIED_AFTER_UNKNOWN`), per code. */
  verifyCodes: Record<string, number>;
}

export interface ReportCollector extends RunReporter {
  readonly started: boolean;
  live(): LiveRunFacts;
  rows(): ReportRows;
}

/** How much the collector keeps: memory stays flat whatever the file's length. */
export interface CollectorLimits {
  /** First rows kept per error code (and of the blocked rows). Default 5 (blocked: 20). */
  firstRows?: number;
  blockedRows?: number;
  /** Distinct codes kept apart; later codes join `OTHER`. Default 100. */
  maxCodes?: number;
  /** Longest message kept, in characters. Default 300. */
  maxMessage?: number;
}

/** Codes that lead the report's list of failures, in this order, whatever their count (SPEC: the report lists them first). */
const LEADING_CODES: readonly string[] = ['QUANTITY_TIMES_1000'];

const VERIFY_CODES = new Set(['VERIFY_MISMATCH', 'NOT_VERIFIED', 'VERIFIED_AFTER_UNKNOWN']);

/** Collects what the HTML report shows from the rows a run records. */
export function createReportCollector(limits: CollectorLimits = {}): ReportCollector {
  const firstRows = limits.firstRows ?? 5;
  const blockedRows = limits.blockedRows ?? 20;
  const maxCodes = limits.maxCodes ?? 100;
  const maxMessage = limits.maxMessage ?? 300;
  const counts: Partial<Record<RowResult, number>> = {};
  const groups = new Map<string, ErrorGroup>();
  const blocked = { count: 0, first: [] as ReportRow[] };
  const verifyCodes: Record<string, number> = {};
  let rows = 0;
  let live: LiveRunFacts | undefined;

  const shown = (outcome: RowOutcome): ReportRow => ({
    line: outcome.line,
    id: outcome.id,
    result: outcome.result,
    message: (outcome.errorMessage ?? '').length > maxMessage ? `${(outcome.errorMessage ?? '').slice(0, maxMessage)}…` : (outcome.errorMessage ?? ''),
  });

  return {
    get started() {
      return live !== undefined;
    },
    start(facts) {
      live = facts;
    },
    live: () => live ?? {},
    row(outcome) {
      rows++;
      counts[outcome.result] = (counts[outcome.result] ?? 0) + 1;
      if (outcome.errorCode && VERIFY_CODES.has(outcome.errorCode)) verifyCodes[outcome.errorCode] = (verifyCodes[outcome.errorCode] ?? 0) + 1;
      if (outcome.result === 'blocked') {
        blocked.count++;
        if (blocked.first.length < blockedRows) blocked.first.push(shown(outcome));
      }
      if (DONE_RESULTS.has(outcome.result)) return;
      let code = outcome.errorCode || `(${outcome.result}, no code)`;
      if (!groups.has(code) && groups.size >= maxCodes) code = 'OTHER';
      let group = groups.get(code);
      if (!group) groups.set(code, (group = { code, count: 0, results: {}, first: [] }));
      group.count++;
      group.results[outcome.result] = (group.results[outcome.result] ?? 0) + 1;
      if (group.first.length < firstRows) group.first.push(shown(outcome));
    },
    rows: () => ({
      counts: { ...counts },
      rows,
      errors: [...groups.values()].map((g) => ({ ...g, results: { ...g.results }, first: [...g.first] })).sort(byLeadThenCount),
      blocked: { count: blocked.count, first: [...blocked.first] },
      verifyCodes: { ...verifyCodes },
    }),
  };
}

function byLeadThenCount(a: ErrorGroup, b: ErrorGroup): number {
  const lead = (g: ErrorGroup): number => {
    const at = LEADING_CODES.indexOf(g.code);
    return at < 0 ? LEADING_CODES.length : at;
  };
  return lead(a) - lead(b) || b.count - a.count || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}
