import { EXIT } from '../errors.js';
import type { RowResult } from '../row-outcome.js';

/** How a run ended, as `run()` returns it: facts only, no advice. */
export interface RunSummary {
  /** `completed`: every record read and answered; `stopped`: ended early (exit 3); `interrupted`: SIGINT/SIGTERM. */
  status: 'completed' | 'stopped' | 'interrupted';
  /** Why the run stopped early, in the user's words. */
  stopReason?: string;
  /** Why the run stopped early, for the advice in the next step. */
  stopKind?: StopKind;
  exitCode: number;
  dryRun: boolean;
  /** Records with an outcome, per result. Records never reached (stopped early) are in `notReached`. */
  counts: Record<RowResult, number>;
  /** Records with an outcome in the results file. */
  rows: number;
  /** Input records never processed (no outcome) because the run stopped early or was interrupted. */
  notReached: number;
  /** `--resume`: rows recorded `updated` by an earlier run with unchanged cells, not sent again. */
  keptFromEarlierRun: number;
  /** HTTP requests sent for rows (attempts), and how many of them were retries. */
  requests: number;
  retries: number;
  /** OAuth token requests. */
  tokenRequests: number;
  elapsedMs: number;
  rowsPerSecond: number;
  input: string;
  out: string;
  failures: string;
  /** Rows written to the failures file. */
  failuresRows: number;
  trackPrefix: string;
}

/** How the run ended, for people (stderr) and machines (`--summary-json`). */
export interface Summary extends RunSummary {
  /** What to do now, as a sentence with the exact command when there is one. */
  nextStep: string;
}

/** The exit code of a finished run (EXIT in errors.ts). */
export function exitCodeFor(status: RunSummary['status'], counts: Record<RowResult, number>): number {
  if (status === 'interrupted') return EXIT.interrupted;
  if (status === 'stopped') return EXIT.stoppedEarly;
  return counts.failed + counts.unknown + counts.invalid > 0 ? EXIT.someRowsNotUpdated : EXIT.ok;
}

/** Why a run stopped early, for the advice in the next step. */
export type StopKind = 'credentials' | 'unreachable' | 'max-failures' | 'output';

/** The commands the advice may give, built at the CLI edge with this run's options. */
export interface NextCommands {
  /** Finishes this input: `--resume` with the same outputs. */
  resume: string;
  /** Sends this input for real (after a dry run). */
  send: string;
  /** Sends the failures file again. */
  sendFailures: string;
}

/** What to do now, as a sentence with the exact command when there is one. */
export function nextStep(summary: RunSummary, commands: NextCommands): string {
  const { counts } = summary;
  if (summary.status !== 'completed') {
    const resume = commands.resume;
    switch (summary.stopKind) {
      case 'credentials':
        return `Fix the credentials (ZUORA_CLIENT_ID/ZUORA_CLIENT_SECRET or ZUORA_ACCESS_TOKEN), then finish the job with: ${resume}`;
      case 'unreachable':
        return `Check the network, proxy and --env/--base-url, then finish the job with: ${resume}`;
      case 'max-failures':
        return `Look at error_message in ${summary.failures}: the file or the target is probably wrong. Fix it, then finish the job with: ${resume}`;
      case 'output':
        return `Make room or choose another --out, then finish the job with: ${resume}`;
      default:
        return `Finish the job with: ${resume}`;
    }
  }
  const notDone = counts.failed + counts.unknown + counts.invalid;
  if (summary.dryRun) {
    if (counts.invalid > 0) {
      return `Fix the ${counts.invalid} invalid row(s) listed in ${summary.failures} (see error_message), then check again or send the rest.`;
    }
    return `All rows are valid. Send them with: ${commands.send}`;
  }
  if (notDone === 0) return 'Nothing left to do.';
  const parts: string[] = [];
  if (counts.invalid + counts.failed > 0) {
    parts.push(`fix the cells named in error_message of ${summary.failures} (open it in your spreadsheet)`);
  }
  if (counts.unknown > 0) parts.push(`rows marked unknown may or may not have been applied; re-sending them is safe`);
  return `${capitalize(parts.join('; '))}. Then send the failures file again: ${commands.sendFailures}`;
}

/** The summary for people, as printed on stderr at the end. */
export function formatSummary(summary: Summary): string {
  const { counts } = summary;
  const lines: string[] = [];
  const title =
    summary.status === 'completed'
      ? summary.dryRun
        ? 'Dry run finished: nothing was sent.'
        : 'Finished.'
      : summary.status === 'stopped'
        ? `Stopped early: ${summary.stopReason ?? 'see the log above'}.`
        : 'Interrupted: in-flight requests were allowed to finish.';
  lines.push('', `zuora-usage-update: ${title}`);
  const shown: Array<[string, number]> = summary.dryRun
    ? [
        ['valid', counts.valid],
        ['invalid', counts.invalid],
      ]
    : [
        ['updated', counts.updated],
        ['failed', counts.failed],
        ['unknown', counts.unknown],
        ['invalid', counts.invalid],
      ];
  lines.push(`  rows:      ${summary.rows} (${shown.map(([name, n]) => `${n} ${name}`).join(', ')})`);
  if (summary.notReached > 0) {
    lines.push(`  not reached: ${summary.notReached} rows never processed (no result yet); the next step finishes them`);
  }
  if (summary.keptFromEarlierRun > 0) {
    lines.push(`  resumed:   ${summary.keptFromEarlierRun} rows already updated by an earlier run, not sent again`);
  }
  if (!summary.dryRun) {
    lines.push(`  requests:  ${summary.requests} (${summary.retries} retries)`);
  }
  lines.push(
    `  time:      ${(summary.elapsedMs / 1000).toFixed(1)} s, ${summary.rowsPerSecond.toFixed(1)} rows/s`,
    `  results:   ${summary.out}`,
    `  failures:  ${summary.failures} (${summary.failuresRows} rows)`,
    `  exit code: ${summary.exitCode}`,
    `  next step: ${summary.nextStep}`,
    '',
  );
  return lines.join('\n');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Quotes a command-line argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
