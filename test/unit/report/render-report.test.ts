import { describe, expect, it } from 'vitest';
import { adviceFor, adviceSentence } from '../../../src/output/error-advice.js';
import { createQuantityLedger } from '../../../src/report/quantity-totals.js';
import { renderReport } from '../../../src/report/render-report.js';
import { createReportCollector } from '../../../src/report/report-collector.js';
import { reportData, type ReportContext } from '../../../src/report/report-data.js';
import type { RowOutcome } from '../../../src/row-outcome.js';
import { attr, byId, elements, parseHtml, tableRows, text } from '../../helpers/html.js';

const SCRIPT = '<script>alert("x")</script>';

const context = (mode: ReportContext['mode']): ReportContext => ({
  path: 'r.html',
  version: '9.9.9',
  mode,
  target: 'us-api-sandbox (US API Sandbox, Cloud 1, https://rest.sandbox.na.zuora.com)',
  entityIds: `ent-${SCRIPT}`,
  transport: 'put',
  verify: true,
  backup: 'fix.backup.csv',
  user: 'uid 1001',
  host: 'runner-7',
  startedAt: Date.UTC(2026, 1, 3, 9, 0, 0),
  input: `/data/${SCRIPT}.csv`,
  inputSha256: () => 'ab'.repeat(32),
  out: 'fix.results.csv',
  failures: 'fix.failures.csv',
  restoreCommand: 'zuora-usage-update fix.backup.csv --env us-api-sandbox --verify',
  trackPrefix: 'zuu-1',
});

const row = (seq: number, result: RowOutcome['result'], errorCode?: string, errorMessage?: string): RowOutcome => ({
  seq,
  line: seq + 2,
  cells: [],
  id: seq === 1 ? SCRIPT : `8ad0000000000000000000000000000${seq}`,
  result,
  attempts: 1,
  ...(errorCode ? { errorCode, errorMessage } : {}),
});

function previewPage(): string {
  const collector = createReportCollector();
  const ledger = createQuantityLedger();
  collector.start({ ledger, requests: () => ({ updates: 0, reads: 2, tokens: 1, pauses: { count: 1, ms: 2500 } }) });
  const a = { Id: 'a', Quantity: '10', UOM: 'Minutes', AccountId: 'acc-a', AccountNumber: `A1${SCRIPT}` };
  const b = { Id: 'b', Quantity: '4', UOM: 'GB', AccountId: 'acc-b' };
  ledger.read(a);
  ledger.read(b);
  ledger.change({ line: 2, id: 'a', from: a, to: { ...a, Quantity: '12.5' } });
  ledger.change({ line: 3, id: 'b', from: b, to: { ...b, Quantity: '1' } });
  collector.row(row(0, 'would-update'));
  collector.row(row(1, 'invalid', 'INVALID_ROW', `Quantity: "${SCRIPT}" is not a number`));
  collector.row(row(2, 'blocked', 'BILLED', 'the record is billed'));
  collector.row(row(3, 'invalid', 'QUANTITY_TIMES_1000', '312091 is exactly 1000 × 312.091'));
  collector.row(row(4, 'would-update'));
  return renderReport(reportData(context('preview'), collector, { status: 'completed', exitCode: 2, endedAt: Date.UTC(2026, 1, 3, 9, 0, 5), nextStep: `Open ${SCRIPT}` }));
}

describe('the HTML report', () => {
  it('shows every value from the input or Zuora as text: a <script> cell is no element, no attribute runs anything', () => {
    const doc = parseHtml(previewPage());
    const all = elements(doc);
    expect(all.filter((n) => ['script', 'img', 'iframe', 'object', 'embed', 'link', 'base', 'form'].includes(n.tagName ?? ''))).toEqual([]);
    expect(all.flatMap((n) => (n.attrs ?? []).map((a) => a.name)).filter((name) => name.startsWith('on'))).toEqual([]);
    // No address to fetch: the page is self-contained.
    expect(all.flatMap((n) => ['src', 'href'].map((name) => attr(n, name)).filter(Boolean))).toEqual([]);
    const body = text(doc);
    expect(body).toContain(`Quantity: "${SCRIPT}" is not a number`);
    expect(body).toContain(`/data/${SCRIPT}.csv`);
    expect(body).toContain(`A1${SCRIPT}`);
    expect(body).toContain(`ent-${SCRIPT}`);
  });

  it('parses back to the headline numbers: counts by result, failures with QUANTITY_TIMES_1000 first, totals per unit', () => {
    const doc = parseHtml(previewPage());
    expect(tableRows(byId(doc, 'counts'))).toEqual([
      ['would-update', '2'],
      ['invalid', '2'],
      ['blocked', '1'],
      ['rows with a result', '5'],
    ]);
    const groups = elements(doc).filter((n) => attr(n, 'class') === 'group').map((n) => attr(n, 'data-code'));
    expect(groups).toEqual(['QUANTITY_TIMES_1000', 'BILLED', 'INVALID_ROW']);
    expect(tableRows(byId(doc, 'by-uom')).slice(1)).toEqual([
      ['GB', '1', '4', '1', '-3'],
      ['Minutes', '1', '10', '12.5', '+2.5'],
    ]);
    expect(tableRows(byId(doc, 'top-rows')).slice(1).map((r) => [r[0], r[6]])).toEqual([
      ['3', '-3'],
      ['2', '+2.5'],
    ]);
    expect(text(doc)).toContain('SHA-256' + 'ab'.repeat(32));
    expect(text(doc)).toContain('uid 1001 on runner-7');
    expect(elements(doc).filter((n) => n.tagName === 'svg').length).toBeGreaterThanOrEqual(2);
  });

  it('gives each failure group the fix from the one advice table the summary uses, as a sentence', () => {
    const doc = parseHtml(previewPage());
    const fixes = elements(doc).filter((n) => attr(n, 'class') === 'fix').map((n) => text(n));
    expect(fixes).toEqual([
      `Fix: ${adviceSentence(adviceFor({ code: 'QUANTITY_TIMES_1000', rows: 1, unknown: 0, busy: 0 }, {}))}`,
      `Fix: ${adviceSentence(adviceFor({ code: 'BILLED', rows: 1, unknown: 0, busy: 0 }, {}))}`,
      'Fix: Never sent: fix the cell error_message names.',
    ]);
    expect(fixes[1]).toMatch(/editing the file will not help/);
  });

  it('for a run: timing, requests by kind, pauses, verify outcomes, the backup and how to restore', () => {
    const collector = createReportCollector();
    collector.start({ requests: () => ({ updates: 7, reads: 3, tokens: 1, pauses: { count: 2, ms: 12_000 } }) });
    collector.row(row(0, 'updated'));
    const summary = {
      status: 'completed', exitCode: 0, dryRun: false, counts: { updated: 1, failed: 0, unknown: 0, invalid: 0, valid: 0 }, rows: 1, notReached: 0,
      keptFromEarlierRun: 0, requests: 7, retries: 6, tokenRequests: 1, elapsedMs: 10_000, rowsPerSecond: 0.1, input: 'x', out: 'y', failures: 'z',
      failuresRows: 0, trackPrefix: 'p', verify: { verified: 1, mismatches: 0, notVerified: 0, verifiedAfterUnknown: 0, notCompared: 0 }, backup: { path: 'fix.backup.csv', ids: 1 },
    } as const;
    const page = renderReport(reportData(context('run'), collector, { status: 'completed', exitCode: 0, endedAt: Date.UTC(2026, 1, 3, 9, 0, 10) }, { ...summary, counts: { ...summary.counts } }));
    const rows = Object.fromEntries(tableRows(byId(parseHtml(page), 'run')).map(([k, v]) => [k, v]));
    expect(rows).toMatchObject({
      Time: '10.0 s, 0.1 rows/s',
      Requests: 'updates 7, reads 3, tokens 1',
      Pauses: '2 asked by Zuora (rate limit), 12.0 s in all',
      Retries: '6 update requests were retries',
      Verify: '1 rows read back as sent, 0 mismatches, 0 not verified, 0 unknown found applied',
      Backup: 'fix.backup.csv (1 Ids)',
    });
    expect(rows['How to restore']).toContain('zuora-usage-update fix.backup.csv --env us-api-sandbox --verify');
  });
});
