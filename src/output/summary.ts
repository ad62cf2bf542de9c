import { EXIT } from '../errors.js';
import type { QuantityTotals } from '../report/quantity-totals.js';
import { DONE_RESULTS, type ResultCounts, type RowResult } from '../row-outcome.js';
import type { ErrorCount, ErrorGroup } from './error-groups.js';

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
  counts: ResultCounts;
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
  /** Read requests (`POST /v1/action/query` and `queryMore`, retries included) of `--preview`, `--backup` and `--verify`; absent in a dry run. */
  readRequests?: number;
  /** `--preview`: the sum over `would-update` rows of new minus old quantity, as a plain decimal. */
  quantityChange?: string;
  /** `--preview`: old and new quantity totals per unit of measure (never added across units) and per account. */
  quantities?: QuantityTotals;
  /** Pauses Zuora asked for (429 Retry-After, RateLimit-Remaining 0) and the time they covered; absent in a dry run. */
  pauses?: { count: number; ms: number };
  /** `--verify`: rows read back and found as sent, found otherwise (VERIFY_MISMATCH), not read back (NOT_VERIFIED), `unknown` rows found applied, and `updated` rows left with no field to compare (later rows of their Id set them all). */
  verify?: { verified: number; mismatches: number; notVerified: number; verifiedAfterUnknown: number; notCompared: number };
  /** Ids in doubt (SPEC "An Id in doubt"), and with `--settle` those read back as held (`settled`) and sent again (`resent`). Absent in a dry run and a preview. */
  inDoubt?: { ids: number; settled: number; resent: number };
  /** `--backup`: the file, and the Ids it holds now. */
  backup?: { path: string; ids: number };
  /** Rows refused (`invalid`, never sent) because their Quantity is exactly 1000 × Zuora's (QUANTITY_TIMES_1000); only in runs that read records first. */
  quantityTimes1000?: number;
  /** Warnings about the input file, each written once. */
  warnings?: string[];
  /** A run that read nothing, on a file with signs of a decimal-comma spreadsheet: the signs, in words (the next step suggests a preview first). */
  decimalCommaSigns?: string;
  /** `--preview`: the run only read, and changed nothing. */
  preview?: boolean;
  elapsedMs: number;
  rowsPerSecond: number;
  input: string;
  out: string;
  failures: string;
  /** Rows written to the failures file. */
  failuresRows: number;
  /** Rows not done per error_code, most rows first. */
  errorCounts?: ErrorCount[];
  /** The run stopped before writing any file (Zuora unreachable for the first token): no results, no failures file. */
  nothingWritten?: boolean;
  /** The error that stopped the run before its first row (`ZUORA_UNREACHABLE`). */
  error?: { code: string; message: string };
  trackPrefix: string;
}

/** How the run ended, for people (stderr) and machines (`--summary-json`). */
export interface Summary extends RunSummary {
  /** Rows not done per error_code, with one line of advice each (error-groups.ts). */
  errors?: ErrorGroup[];
  /** What to do now, as a sentence with the exact command when there is one. */
  nextStep: string;
}

/** The exit code of a finished run (EXIT in errors.ts). */
export function exitCodeFor(status: RunSummary['status'], counts: ResultCounts): number {
  if (status === 'interrupted') return EXIT.interrupted;
  if (status === 'stopped') return EXIT.stoppedEarly;
  return Object.entries(counts).some(([result, n]) => n > 0 && !DONE_RESULTS.has(result as RowResult)) ? EXIT.someRowsNotUpdated : EXIT.ok;
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
  /** Sends the failures file again one PUT a row (`--transport put`), when Actions refused Usage. */
  sendFailuresPut?: string;
  /** `--preview` again, with the same outputs. */
  preview: string;
  /** Applies this input after a preview, with a new backup and `--verify`. */
  applyWithBackup: string;
  /** `--preview` of this input, its preview file in the default place (before a first real run). */
  previewFirst?: string;
  /** Sends the `--backup` file back, restoring the values this run changed; undefined without `--backup`. */
  restore?: string;
}

/** The fix for rows whose Quantity a spreadsheet multiplied by 1000, as the next step says it. */
const TIMES_1000_FIX =
  'the spreadsheet read their decimal point as a thousands separator. Write the quantities error_message gives, or export the records again and format the Quantity column as Text before saving (a decimal-comma spreadsheet: save with ; and pass --decimal-comma); pass --allow-times-1000 only if 1000 times is meant';

/** What to do now, as a sentence with the exact command when there is one (a line each, when there is more than one thing to do). */
export function nextStep(summary: RunSummary & Pick<Summary, 'errors'>, commands: NextCommands): string {
  const step = plainNextStep(summary, commands);
  const times1000 = summary.quantityTimes1000 ?? 0;
  const parts = [
    times1000 > 0 ? `${times1000} row(s) have a Quantity exactly 1000 × Zuora's (QUANTITY_TIMES_1000, not sent): ${TIMES_1000_FIX}.` : undefined,
    step,
    summary.decimalCommaSigns !== undefined && summary.status === 'completed' ? decimalCommaAdvice(summary, commands) : undefined,
    summary.backup && !summary.preview && commands.restore !== undefined ? `To undo this run's changes, restore the backup: ${commands.restore}` : undefined,
  ];
  // One line each: a step may end in a command, which a following sentence must not run into.
  return parts.filter((part): part is string => part !== undefined).join('\n');
}

/** A run that read nothing, of a file a decimal-comma spreadsheet may have saved: preview first. */
function decimalCommaAdvice(summary: RunSummary, commands: NextCommands): string {
  const preview = commands.previewFirst ?? commands.preview;
  return summary.dryRun || summary.counts.updated === 0
    ? `Preview it first, which compares each quantity with Zuora's: ${preview}`
    : `Check the quantities this run sent (a spreadsheet may have made some 1000 times larger), and preview the next file from this spreadsheet first: ${preview}`;
}

function plainNextStep(summary: RunSummary & Pick<Summary, 'errors'>, commands: NextCommands): string {
  const { counts } = summary;
  if (summary.preview) return previewNextStep(summary, commands);
  if (summary.status !== 'completed') {
    const resume = commands.resume;
    switch (summary.stopKind) {
      case 'credentials':
        return `Fix the credentials (ZUORA_CLIENT_ID/ZUORA_CLIENT_SECRET or ZUORA_ACCESS_TOKEN), then finish the job with: ${resume}`;
      case 'unreachable':
        return `Check the network, proxy and --env/--base-url, then finish the job with: ${resume}`;
      case 'max-failures': {
        const top = summary.errors?.[0];
        const most = top ? ` Most of them: ${top.code} (${top.rows}): ${top.advice}.` : '';
        return `Look at error_message in ${summary.failures}: the file or the target is probably wrong.${most} Fix it, then finish the job with: ${resume}`;
      }
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
  if (summary.errors !== undefined && summary.errors.length > 0) return nextStepByErrors(summary.errors, summary.failures, commands);
  const parts: string[] = [];
  if (counts.invalid + counts.failed > 0) {
    parts.push(`fix the cells named in error_message of ${summary.failures} (open it in your spreadsheet)`);
  }
  if (counts.unknown > 0) parts.push(`rows marked unknown may or may not have been applied; re-sending them is safe`);
  return `${capitalize(parts.join('; '))}. Then send the failures file again: ${commands.sendFailures}`;
}

/**
 * The next step of a finished run with rows not done, from what their errors need: cells to fix, rows
 * to send again as they are, rows for `--transport put`, and rows no edit of the file can fix.
 */
function nextStepByErrors(errors: readonly ErrorGroup[], failures: string, commands: NextCommands): string {
  const rows = (remedy: ErrorGroup['remedy']): number => errors.filter((group) => group.remedy === remedy).reduce((sum, group) => sum + group.rows, 0);
  const codes = (remedy: ErrorGroup['remedy']): string => errors.filter((group) => group.remedy === remedy).map((group) => group.code).join(', ');
  const fix = rows('fix-cells');
  const again = rows('send-again');
  const put = rows('use-put');
  const setup = rows('fix-setup');
  const stuck = rows('not-in-file');
  const steps: string[] = [];
  if (setup > 0) steps.push(`${setup} row(s) failed because of the setup (${codes('fix-setup')}): fix it first (see the errors above)`);
  if (fix > 0) steps.push(`fix the cells named in error_message of ${failures} (${fix} row(s): ${codes('fix-cells')}; open it in your spreadsheet)`);
  if (again > 0) steps.push(`${again} row(s) (${codes('send-again')}) need nothing fixed: sending them again is safe`);
  if (stuck > 0) {
    steps.push(
      `${stuck} row(s) (${codes('not-in-file')}) cannot be fixed by editing the file (see the errors above); they stay in the failures file and will fail again until fixed in Zuora`,
    );
  }
  let send: string;
  if (fix + again + setup === 0 && put === 0) send = '';
  else if (put > 0) send = ` Then send the failures file one PUT a row (Actions refused ${put} row(s) with ${codes('use-put')}): ${commands.sendFailuresPut ?? commands.sendFailures}`;
  else send = ` Then send the failures file again: ${commands.sendFailures}`;
  if (steps.length === 0) return send.trim();
  return `${capitalize(steps.join('; '))}.${send}`;
}

/** After `--preview`: read the preview, then apply with a backup. */
function previewNextStep(summary: RunSummary, commands: NextCommands): string {
  if (summary.status !== 'completed') return `The preview is incomplete; run it again: ${commands.preview}`;
  const notApplied = (['blocked', 'not-found', 'invalid', 'failed'] as const).reduce((sum, result) => sum + (summary.counts[result] ?? 0), 0);
  const look =
    notApplied > 0
      ? `Open ${summary.out} in your spreadsheet: ${notApplied} row(s) would not be applied (blocked, not-found, invalid or failed: see error_message); fix them or leave them.`
      : `Open ${summary.out} in your spreadsheet to check the before_ columns against yours.`;
  return `${look} To apply, with a backup to restore from: ${commands.applyWithBackup}`;
}

/** The summary for people, as printed on stderr at the end. */
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
        // --skip-unchanged: rows Zuora already held, not sent.
        ...(counts.unchanged === undefined ? [] : [['unchanged', counts.unchanged] as [string, number]]),
        ['failed', counts.failed],
        ['unknown', counts.unknown],
        ['invalid', counts.invalid],
      ];
  lines.push(`  rows:      ${summary.rows} (${shown.map(([name, n]) => `${n} ${name}`).join(', ')})`);
  for (const [i, group] of (summary.errors ?? []).entries()) {
    lines.push(`  ${i === 0 ? 'errors:   ' : '          '} ${group.code} ${group.rows}: ${group.advice}`);
  }
  if (summary.notReached > 0) {
    lines.push(`  not reached: ${summary.notReached} rows never processed (no result yet); the next step finishes them`);
  }
  if (summary.keptFromEarlierRun > 0) {
    lines.push(`  resumed:   ${summary.keptFromEarlierRun} rows already updated by an earlier run, not sent again`);
  }
  if (summary.quantities && summary.quantities.byUom.length > 0) {
    // One line per unit: Minutes, Seats and GB are never added together.
    summary.quantities.byUom.forEach((t, i) => lines.push(`  ${i === 0 ? 'quantity: ' : '          '} ${t.key}: ${t.old} -> ${t.new} (${signed(t.change)}, ${t.records} records)`));
  } else if (summary.quantityChange !== undefined) lines.push(`  quantity:  ${summary.quantityChange} (total change over the would-update rows)`);
  if ((summary.quantityTimes1000 ?? 0) > 0) {
    lines.push(`  x1000:     ${summary.quantityTimes1000} rows refused, not sent: Quantity exactly 1000 × Zuora's (QUANTITY_TIMES_1000; counted in invalid)`);
  }
  for (const warning of summary.warnings ?? []) lines.push(`  warning:   ${warning}`);
  if (summary.readRequests !== undefined) {
    lines.push(`  requests:  updates ${summary.requests} (${summary.retries} retries), reads ${summary.readRequests}, tokens ${summary.tokenRequests}`);
  } else if (!summary.dryRun) {
    lines.push(`  requests:  ${summary.requests} (${summary.retries} retries)`);
  }
  if (summary.verify) {
    const v = summary.verify;
    lines.push(`  verified:  ${v.verified} rows as sent, ${v.mismatches} mismatches, ${v.notVerified} not verified, ${v.verifiedAfterUnknown} unknown found applied`);
    if (v.notCompared > 0) lines.push(`             ${v.notCompared} rows not compared (later rows of their Id, answered success, set every field they sent)`);
  }
  if (summary.inDoubt && summary.inDoubt.ids > 0) {
    const d = summary.inDoubt;
    const outcome = d.settled + d.resent > 0 ? `${d.settled} settled as held, ${d.resent} sent again after --settle` : 'their last row is unknown EARLIER_ATTEMPT_IN_DOUBT (send it again, or run with --settle)';
    lines.push(`  in doubt:  ${d.ids} Ids had a request with no answer before their last row: ${outcome}`);
  }
  if (summary.backup) lines.push(`  backup:    ${summary.backup.path} (${summary.backup.ids} Ids)`);
  lines.push(
    `  time:      ${(summary.elapsedMs / 1000).toFixed(1)} s, ${summary.rowsPerSecond.toFixed(1)} rows/s`,
    ...(summary.nothingWritten
      ? ['  results:   none written (nothing was sent)']
      : [
          `  ${summary.preview ? 'preview: ' : 'results: '}  ${summary.out}`,
          ...(summary.preview ? [] : [`  failures:  ${summary.failures} (${summary.failuresRows} rows${summary.notReached > 0 ? `; the ${summary.notReached} rows not reached are not in it` : ''})`]),
        ]),
    `  exit code: ${summary.exitCode}`,
    `  next step: ${summary.nextStep.replace(/\n/g, '\n             ')}`,
    '',
  );
  return lines.join('\n');
}

function signed(decimal: string): string {
  return decimal.startsWith('-') || decimal === '0' ? decimal : `+${decimal}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Quotes a command-line argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
