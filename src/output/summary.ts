import { DONE_RESULTS, type RowResult } from '../row-outcome.js';

/** How the run ended, for people (stderr) and machines (`--summary-json`). */
export interface Summary {
  /** `completed`: every record read and answered; `stopped`: ended early (exit 3); `interrupted`: SIGINT/SIGTERM. */
  status: 'completed' | 'stopped' | 'interrupted';
  /** Why the run stopped early, in the user's words. */
  stopReason?: string;
  exitCode: number;
  dryRun: boolean;
  /** Records with an outcome, per result. Records never reached (stopped early) are not counted. */
  counts: Record<RowResult, number>;
  /** Records with an outcome in the results file. */
  rows: number;
  /** `--resume`: rows recorded `updated` by an earlier run with unchanged cells, not sent again. */
  keptFromEarlierRun: number;
  /** HTTP requests sent for rows (attempts), and how many of them were retries. */
  requests: number;
  retries: number;
  /** OAuth token requests. */
  tokenRequests: number;
  /** Read requests (`POST /v1/action/query` and `queryMore`, retries included) of `--preview`, `--backup` and `--verify`; absent in a dry run. */
  readRequests?: number;
  /** `--preview`: the sum over `would-update` rows of new minus old quantity, as a plain decimal. */
  quantityChange?: string;
  /** `--verify`: rows read back and found as sent, found otherwise (VERIFY_MISMATCH), not read back (NOT_VERIFIED), and `unknown` rows found applied. */
  verify?: { verified: number; mismatches: number; notVerified: number; verifiedAfterUnknown: number };
  /** `--backup`: the file, and the Ids it holds now. */
  backup?: { path: string; ids: number };
  /** `--preview`: the run only read, and changed nothing. */
  preview?: boolean;
  elapsedMs: number;
  rowsPerSecond: number;
  input: string;
  out: string;
  failures: string;
  /** Rows written to the failures file. */
  failuresRows: number;
  trackPrefix: string;
  /** What to do now, as a sentence with the exact command when there is one. */
  nextStep: string;
}

export function exitCodeFor(status: Summary['status'], counts: Record<RowResult, number>): number {
  if (status === 'interrupted') return 130;
  if (status === 'stopped') return 3;
  return Object.entries(counts).some(([result, n]) => n > 0 && !DONE_RESULTS.has(result as RowResult)) ? 2 : 0;
}

/** Why a run stopped early, for the advice in the next step. */
export type StopKind = 'credentials' | 'unreachable' | 'max-failures' | 'output';

export interface NextStepInput {
  status: Summary['status'];
  stopKind?: StopKind;
  dryRun: boolean;
  counts: Record<RowResult, number>;
  /** Command that repeats this run's options on another input, e.g. `zuora-usage-update --env us-sandbox`. */
  rerun: (input: string, extra?: string[]) => string;
  input: string;
  out: string;
  failures: string;
  /** `--preview`: the next step is to read the preview, then apply with a backup. */
  preview?: boolean;
}

export function nextStep(input: NextStepInput): string {
  const { counts } = input;
  if (input.preview) {
    const apply = input.rerun(input.input, ['--backup', `${input.input.replace(/\.csv$/i, '')}.backup.csv`, '--verify']);
    if (input.status !== 'completed') return `The preview is incomplete; run it again: ${input.rerun(input.input, ['--preview', '--out', input.out])}`;
    const notApplied = (['blocked', 'not-found', 'invalid', 'failed'] as const).reduce((sum, result) => sum + (counts[result] ?? 0), 0);
    const look = notApplied > 0
      ? `Open ${input.out} in your spreadsheet: ${notApplied} row(s) would not be applied (blocked, not-found, invalid or failed: see error_message); fix them or leave them.`
      : `Open ${input.out} in your spreadsheet to check the before_ columns against yours.`;
    return `${look} To apply, with a backup to restore from: ${apply}`;
  }
  if (input.status !== 'completed') {
    const resume = input.rerun(input.input, ['--resume', '--out', input.out]);
    switch (input.stopKind) {
      case 'credentials':
        return `Fix the credentials (ZUORA_CLIENT_ID/ZUORA_CLIENT_SECRET or ZUORA_ACCESS_TOKEN), then finish the job with: ${resume}`;
      case 'unreachable':
        return `Check the network, proxy and --env/--base-url, then finish the job with: ${resume}`;
      case 'max-failures':
        return `Look at error_message in ${input.failures}: the file or the target is probably wrong. Fix it, then finish the job with: ${resume}`;
      case 'output':
        return `Make room or choose another --out, then finish the job with: ${resume}`;
      default:
        return `Finish the job with: ${resume}`;
    }
  }
  const notDone = counts.failed + counts.unknown + counts.invalid;
  if (input.dryRun) {
    if (counts.invalid > 0) {
      return `Fix the ${counts.invalid} invalid row(s) listed in ${input.failures} (see error_message), then check again or send the rest.`;
    }
    return `All rows are valid. Send them with: ${input.rerun(input.input)}`;
  }
  if (notDone === 0) return 'Nothing left to do.';
  const parts: string[] = [];
  if (counts.invalid + counts.failed > 0) {
    parts.push(`fix the cells named in error_message of ${input.failures} (open it in your spreadsheet)`);
  }
  if (counts.unknown > 0) parts.push(`rows marked unknown may or may not have been applied; re-sending them is safe`);
  return `${capitalize(parts.join('; '))}. Then send the failures file again: ${input.rerun(input.failures)}`;
}

export function formatSummary(summary: Summary): string {
  const { counts } = summary;
  const lines: string[] = [];
  const title =
    summary.status === 'completed'
      ? summary.dryRun
        ? 'Dry run finished: nothing was sent.'
        : summary.preview
          ? 'Preview finished: records were read, nothing was changed.'
          : 'Finished.'
      : summary.status === 'stopped'
        ? `Stopped early: ${summary.stopReason ?? 'see the log above'}.`
        : 'Interrupted: in-flight requests were allowed to finish.';
  lines.push('', `zuora-usage-update: ${title}`);
  const shown: Array<[string, number]> = summary.preview
    ? (['would-update', 'unchanged', 'blocked', 'not-found', 'failed', 'invalid'] as const).map((name) => [name, counts[name] ?? 0])
    : summary.dryRun
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
  if (summary.keptFromEarlierRun > 0) {
    lines.push(`  resumed:   ${summary.keptFromEarlierRun} rows already updated by an earlier run, not sent again`);
  }
  if (summary.quantityChange !== undefined) lines.push(`  quantity:  ${summary.quantityChange} (total change over the would-update rows)`);
  if (summary.readRequests !== undefined) {
    lines.push(`  requests:  ${summary.requests} updates (${summary.retries} retries), ${summary.readRequests} reads, ${summary.tokenRequests} tokens`);
  } else if (!summary.dryRun) {
    lines.push(`  requests:  ${summary.requests} (${summary.retries} retries)`);
  }
  if (summary.verify) {
    const v = summary.verify;
    lines.push(`  verified:  ${v.verified} rows as sent, ${v.mismatches} mismatches, ${v.notVerified} not verified, ${v.verifiedAfterUnknown} unknown found applied`);
  }
  if (summary.backup) lines.push(`  backup:    ${summary.backup.path} (${summary.backup.ids} Ids)`);
  lines.push(
    `  time:      ${(summary.elapsedMs / 1000).toFixed(1)} s, ${summary.rowsPerSecond.toFixed(1)} rows/s`,
    `  ${summary.preview ? 'preview: ' : 'results: '}  ${summary.out}`,
    ...(summary.preview ? [] : [`  failures:  ${summary.failures} (${summary.failuresRows} rows)`]),
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
