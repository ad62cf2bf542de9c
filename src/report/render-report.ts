import type { RowResult } from '../row-outcome.js';
import { adviceFor, adviceSentence } from '../output/error-advice.js';
import { escapeHtml as e } from './escape-html.js';
import type { QuantityTotal } from './quantity-totals.js';
import { changeBars, RESULT_COLOURS, resultsBar } from './report-charts.js';
import type { ReportData } from './report-data.js';
import type { ReportRow } from './report-collector.js';

const RESULT_ORDER: readonly RowResult[] = ['updated', 'would-update', 'valid', 'unchanged', 'failed', 'unknown', 'invalid', 'blocked', 'not-found'];

const TITLES = { preview: 'Preview report', 'dry-run': 'Dry run report', run: 'Run report' } as const;

/**
 * The report as one self-contained HTML page: inline CSS and inline SVG only (no script, no font, no
 * image, no link to fetch), so it reads the same mailed, attached to a ticket or printed on A4. Every
 * value from the input or from Zuora is escaped.
 */
export function renderReport(data: ReportData): string {
  const { context, end } = data;
  const title = `${TITLES[context.mode]}: ${baseName(context.input)}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // Nothing may load: a mail client or a ticket viewer then shows the page as it is.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${e(title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<header><h1>${e(title)}</h1><p class="status ${statusClass(end.status, end.exitCode)}">${e(statusText(data))}</p></header>`,
    factsSection(data),
    resultsSection(data),
    errorsSection(data),
    quantitySection(data),
    blockedSection(data),
    runSection(data),
    `<footer>zuora-usage-update ${e(context.version)} · report written ${e(iso(end.endedAt))}</footer>`,
    '</body></html>',
    '',
  ].join('\n');
}

function factsSection({ context, end }: ReportData): string {
  const rows: Array<[string, string]> = [
    ['Target', e(context.target)],
    ...(context.entityIds ? [['Entity', e(context.entityIds)] as [string, string]] : []),
    ...(context.orgIds ? [['Org', e(context.orgIds)] as [string, string]] : []),
    ['Run by', `${e(context.user)} on ${e(context.host)}`],
    ['Started', e(iso(context.startedAt))],
    ['Ended', e(iso(end.endedAt))],
    ['Input file', `<code>${e(context.input)}</code>`],
    ['SHA-256', `<code class="hash">${e(context.inputSha256() ?? 'not computed (the run ended first)')}</code>`],
    ['Tool version', `zuora-usage-update ${e(context.version)}`],
    ['Mode', e(modeText(context))],
    ['Track prefix', `<code>${e(context.trackPrefix)}</code>`],
    [context.mode === 'preview' ? 'Preview file' : 'Results file', `<code>${e(context.out)}</code>`],
    ...(context.failures ? [['Failures file', `<code>${e(context.failures)}</code>`] as [string, string]] : []),
  ];
  return `<section><h2>What, where, who</h2><table class="facts">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table></section>`;
}

function resultsSection(data: ReportData): string {
  const { rows, end } = data;
  const counted = RESULT_ORDER.filter((r) => (rows.counts[r] ?? 0) > 0).map((r) => ({ label: r as string, value: rows.counts[r] ?? 0, colour: RESULT_COLOURS[r] ?? '#9e9e9e' }));
  if (data.notReached) counted.push({ label: 'not reached', value: data.notReached, colour: RESULT_COLOURS['not reached'] ?? '#e0e0e0' });
  const legend = counted
    .map((p) => `<tr><td><span class="swatch" style="background:${p.colour}"></span>${e(p.label)}</td><td class="n">${p.value.toLocaleString('en-US')}</td></tr>`)
    .join('');
  const total = `<tr class="total"><td>rows with a result</td><td class="n">${rows.rows.toLocaleString('en-US')}</td></tr>`;
  const next = end.nextStep ? `<p class="next"><strong>Next step:</strong> ${e(end.nextStep)}</p>` : '';
  const error = end.error ? `<p class="error"><strong>${e(end.error.code)}:</strong> ${e(end.error.message)}</p>` : '';
  const stop = end.stopReason ? `<p class="error"><strong>Stopped early:</strong> ${e(end.stopReason)}</p>` : '';
  return `<section><h2>Results</h2>${resultsBar(counted)}<table class="counts" id="counts">${legend}${total}</table>${stop}${error}${next}</section>`;
}

function errorsSection({ rows, context }: ReportData): string {
  if (rows.errors.length === 0) return '<section><h2>Failures</h2><p>None: no row failed, was refused or left in doubt.</p></section>';
  const groups = rows.errors.map((group) => {
    const results = Object.entries(group.results).map(([r, n]) => `${n} ${r}`).join(', ');
    const advice = adviceFor({ code: group.code, rows: group.count, unknown: group.results.unknown ?? 0, busy: 0, invalid: group.results.invalid ?? 0 }, context);
    const more = group.count > group.first.length ? `<p class="more">and ${(group.count - group.first.length).toLocaleString('en-US')} more rows with this code (all are in the failures file).</p>` : '';
    return (
      `<div class="group" data-code="${e(group.code)}"><h3><code>${e(group.code)}</code> <span class="count">${group.count.toLocaleString('en-US')} rows</span> <span class="muted">(${e(results)})</span></h3>` +
      `<p class="fix"><strong>Fix:</strong> ${e(adviceSentence(advice))}</p>${rowTable(group.first)}${more}</div>`
    );
  });
  return `<section><h2>Failures by error code</h2>${groups.join('')}</section>`;
}

function rowTable(rows: readonly ReportRow[]): string {
  if (rows.length === 0) return '';
  const body = rows.map((r) => `<tr><td class="n">${r.line}</td><td><code>${e(r.id)}</code></td><td>${e(r.result)}</td><td class="msg">${e(r.message)}</td></tr>`).join('');
  return `<table class="rows"><thead><tr><th>line</th><th>Id</th><th>result</th><th>message</th></tr></thead><tbody>${body}</tbody></table>`;
}

function quantitySection({ quantities, context }: ReportData): string {
  if (!quantities) {
    const why = context.mode === 'dry-run' ? 'A dry run reads nothing from Zuora' : 'This run read no records before changing them';
    return `<section><h2>Quantity change</h2><p class="muted">${why}, so the quantities before are not known. A <code>--preview</code> report, or a run with <code>--backup</code>, shows the change per unit of measure and per account.</p></section>`;
  }
  const uomRows = quantities.byUom.map((t) => totalRow(e(t.key), t)).join('');
  const uomTable = `<h3>Per unit of measure</h3><table class="q" id="by-uom"><thead><tr><th>unit</th><th>records</th><th>old total</th><th>new total</th><th>difference</th></tr></thead><tbody>${uomRows}</tbody></table>`;
  const accounts = quantities.topAccounts;
  const chart = accounts.some((a) => a.change !== '0')
    ? changeBars(accounts.map((a) => ({ label: `${a.key} · ${a.uom}`, value: Number(a.change), text: signed(a.change) })))
    : '';
  const accountRows = accounts
    .map((a) => totalRow(`${e(a.key)}${a.accountNumber && a.accountId ? `<br><code class="small">${e(a.accountId)}</code>` : ''}</td><td>${e(a.uom)}`, a))
    .join('');
  const other = quantities.otherAccounts
    .map((t) => totalRow(`${t.accounts.toLocaleString('en-US')} other accounts${quantities.accountsCapped ? ' (and every account past the first 20,000)' : ''}</td><td>${e(t.key)}`, t, 'other'))
    .join('');
  const accountTable = `<h3>Per account (the ${accounts.length} with the largest change${quantities.otherAccounts.length > 0 ? ', the rest on one line per unit' : ''})</h3>${chart}<table class="q" id="by-account"><thead><tr><th>account</th><th>unit</th><th>records</th><th>old total</th><th>new total</th><th>difference</th></tr></thead><tbody>${accountRows}${other}</tbody></table>`;
  const top = quantities.topRows
    .map((r) => `<tr><td class="n">${r.line}</td><td><code>${e(r.id)}</code></td><td>${e(r.account)}</td><td>${e(r.newUom ? `${r.uom} → ${r.newUom}` : r.uom)}</td><td class="n">${e(r.old)}</td><td class="n">${e(r.new)}</td><td class="n ${cls(r.change)}">${e(signed(r.change))}</td></tr>`)
    .join('');
  const topTable = top
    ? `<h3>The largest changes (top ${quantities.topRows.length} rows by absolute change)</h3><table class="q" id="top-rows"><thead><tr><th>line</th><th>Id</th><th>account</th><th>unit</th><th>old</th><th>new</th><th>change</th></tr></thead><tbody>${top}</tbody></table>`
    : '<p>No row changes a quantity.</p>';
  const basis =
    context.mode === 'preview'
      ? 'Totals over the records read, as Zuora holds them and as the rows would leave them.'
      : 'Totals over the records backed up, as Zuora held them before this run and as the rows Zuora answered updated leave them (a refused or unanswered row changes nothing here); the largest changes are per Id, at its last updated row.';
  return `<section><h2>Quantity change</h2><p class="muted">${basis} Units are never added together.</p>${uomTable}${accountTable}${topTable}</section>`;
}

function totalRow(first: string, t: QuantityTotal, cssClass = ''): string {
  return `<tr class="${cssClass}"><td>${first}</td><td class="n">${t.records.toLocaleString('en-US')}</td><td class="n">${e(t.old)}</td><td class="n">${e(t.new)}</td><td class="n ${cls(t.change)}">${e(signed(t.change))}</td></tr>`;
}

function blockedSection({ rows, context }: ReportData): string {
  if (context.mode !== 'preview' && rows.blocked.count === 0) return '';
  if (rows.blocked.count === 0) return '<section><h2>Billed rows</h2><p>No row is blocked as billed.</p></section>';
  const more = rows.blocked.count > rows.blocked.first.length ? `<p class="more">and ${(rows.blocked.count - rows.blocked.first.length).toLocaleString('en-US')} more.</p>` : '';
  return `<section><h2>Billed rows (blocked: ${rows.blocked.count.toLocaleString('en-US')})</h2><p>Zuora refuses changes to standard fields of billed usage (RbeStatus Processed); editing the file cannot fix these rows.</p>${rowTable(rows.blocked.first)}${more}</section>`;
}

function runSection(data: ReportData): string {
  const { context, requests } = data;
  if (context.mode === 'dry-run') return '';
  const seconds = data.elapsedMs / 1000;
  const rate = seconds > 0 ? ((data.rows.rows / seconds).toFixed(1)) : '0';
  // [label, HTML]: every value is escaped where it is put in.
  const items: Array<[string, string]> = [['Time', `${seconds.toFixed(1)} s, ${rate} rows/s`]];
  if (requests) {
    items.push(
      ['Requests', `updates ${requests.updates.toLocaleString('en-US')}, reads ${requests.reads.toLocaleString('en-US')}, tokens ${requests.tokens.toLocaleString('en-US')}`],
      ['Pauses', requests.pauses.count === 0 ? 'none: Zuora did not ask the run to wait' : `${requests.pauses.count} asked by Zuora (rate limit), ${(requests.pauses.ms / 1000).toFixed(1)} s in all`],
    );
  }
  if (data.retries !== undefined) items.push(['Retries', `${data.retries.toLocaleString('en-US')} update requests were retries`]);
  if (context.mode === 'run') {
    const v = data.verify;
    items.push(['Verify', v ? `${v.verified} rows read back as sent, ${v.mismatches} mismatches, ${v.notVerified} not verified, ${v.verifiedAfterUnknown} unknown found applied${v.notCompared > 0 ? `, ${v.notCompared} left with no field to compare` : ''}` : context.verify ? 'not finished' : 'off (--verify reads each updated record back)']);
    if (data.backup) {
      const ids = data.backup.ids >= 0 ? ` (${data.backup.ids.toLocaleString('en-US')} Ids)` : '';
      items.push(['Backup', `<code>${e(data.backup.path)}</code>${ids}`]);
      if (context.restoreCommand) items.push(['How to restore', `Run <code class="cmd">${e(context.restoreCommand)}</code>: it writes the backed-up values back (an empty cell leaves that field unchanged).`]);
    } else {
      items.push(['Backup', 'none (--backup saves the values before the change, to restore from)']);
    }
  }
  const title = context.mode === 'preview' ? 'Reads' : 'The run';
  return `<section><h2>${title}</h2><table class="facts" id="run">${items.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table></section>`;
}

function statusText({ end, context }: ReportData): string {
  const what = context.mode === 'preview' ? 'Preview' : context.mode === 'dry-run' ? 'Dry run' : 'Run';
  switch (end.status) {
    case 'completed':
      return `${what} finished, exit code ${end.exitCode}${context.mode === 'run' ? '' : ': nothing was changed in Zuora'}`;
    case 'stopped':
      return `${what} stopped early, exit code ${end.exitCode}`;
    case 'interrupted':
      return `${what} interrupted, exit code ${end.exitCode}`;
    case 'exited':
      return `${what} exited at once (exit code ${end.exitCode}): rows in flight have no result`;
    default:
      return `${what} ended by an error, exit code ${end.exitCode}`;
  }
}

function statusClass(status: string, exitCode: number): string {
  return status === 'completed' && exitCode === 0 ? 'ok' : status === 'completed' ? 'warn' : 'bad';
}

function modeText(context: ReportData['context']): string {
  if (context.mode === 'preview') return '--preview: records read, nothing changed';
  if (context.mode === 'dry-run') return '--dry-run: validated only, nothing sent';
  return [`--transport ${context.transport}`, context.backup ? `--backup ${context.backup}` : '', context.verify ? '--verify' : ''].filter(Boolean).join(', ');
}

function signed(decimal: string): string {
  return decimal.startsWith('-') || decimal === '0' ? decimal : `+${decimal}`;
}

function cls(decimal: string): string {
  return decimal.startsWith('-') ? 'neg' : decimal === '0' ? '' : 'pos';
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

const STYLE = `
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font: 13px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1f2933; margin: 0 auto; max-width: 186mm; padding: 16px; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 22px 0 8px; padding-bottom: 3px; border-bottom: 2px solid #cfd8dc; }
h3 { font-size: 13px; margin: 14px 0 6px; }
code { font: 12px/1.3 ui-monospace, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
code.small { font-size: 10px; color: #546e7a; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; vertical-align: top; padding: 3px 6px; border-bottom: 1px solid #eceff1; }
thead th { background: #f5f7f8; font-weight: 600; }
table.facts th { width: 9.5em; color: #546e7a; font-weight: 600; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.msg { overflow-wrap: anywhere; }
td.pos { color: #2e7d32; } td.neg { color: #c62828; }
tr.total td { font-weight: 600; border-top: 1px solid #b0bec5; }
tr.other td { font-style: italic; color: #455a64; }
table.counts { width: auto; min-width: 40%; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; vertical-align: baseline; }
.status { display: inline-block; margin: 0; padding: 2px 10px; border-radius: 12px; font-weight: 600; }
.status.ok { background: #e8f5e9; color: #1b5e20; } .status.warn { background: #fff8e1; color: #8d6e00; } .status.bad { background: #ffebee; color: #b71c1c; }
.chart { display: block; margin: 8px 0; }
.chart text { font: 11px -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: #37474f; }
.group { margin-bottom: 12px; break-inside: avoid; }
.count { font-weight: 600; }
.muted, .more { color: #607d8b; }
.fix { background: #f1f8e9; border-left: 3px solid #7cb342; padding: 4px 8px; margin: 4px 0; }
.next { background: #e3f2fd; border-left: 3px solid #1e88e5; padding: 6px 8px; }
.error { background: #ffebee; border-left: 3px solid #e53935; padding: 6px 8px; }
code.cmd { display: block; background: #f5f7f8; padding: 4px 6px; margin-top: 3px; }
footer { margin-top: 24px; color: #90a4ae; font-size: 11px; }
@media print { body { padding: 0; max-width: none; } h2 { break-after: avoid; } tr { break-inside: avoid; } .chart { break-inside: avoid; } }
`;
