import type { ErrorGroup } from './error-groups.js';
import type { RunSummary, Summary } from './summary.js';

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

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
