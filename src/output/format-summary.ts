import type { Summary } from './summary.js';

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
