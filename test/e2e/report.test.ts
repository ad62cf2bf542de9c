import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Simulator, UsageRecord } from '../../src/simulator/create-simulator.js';
import { demoEnv, inputFile, runCli, spawnCli } from '../helpers/cli.js';
import { attr, byId, elements, parseHtml, tableRows, text, type HtmlNode } from '../helpers/html.js';
import { usageId } from '../helpers/sender.js';
import { waitFor } from '../helpers/wait-for.js';
import { pendingRecord, simulatorPerTest } from '../helpers/with-simulator.js';
import { putRequests } from '../helpers/received-requests.js';

const start = simulatorPerTest();

const A = usageId(0xa);
const B = usageId(0xb);
const BILLED = usageId(0xc);
const MISSING = usageId(0xd);
const SCRIPT = '<script>alert(1)</script>';

function tenant(): UsageRecord[] {
  return [
    pendingRecord(A, { Quantity: 4, UOM: 'Minutes', AccountNumber: 'A00000001', AccountId: '8ad00000000000000000000000000001' }),
    pendingRecord(B, { Quantity: 10, UOM: 'GB', AccountNumber: 'A00000002', AccountId: '8ad00000000000000000000000000002' }),
    pendingRecord(BILLED, { Quantity: 3, UOM: 'GB', RbeStatus: 'Processed' }),
  ];
}

const reads = (s: Simulator) => s.requests.filter((r) => r.path.startsWith('/v1/action/query'));

function page(path: string): HtmlNode {
  const html = readFileSync(path, 'utf8');
  expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  return parseHtml(html);
}

const counts = (doc: HtmlNode) => Object.fromEntries(tableRows(byId(doc, 'counts')).map(([k, v]) => [k, v]));
const runFacts = (doc: HtmlNode) => Object.fromEntries(tableRows(byId(doc, 'run')).map(([k, v]) => [k, v]));

describe('--report', () => {
  it('a preview: counts, failures by code, the change per unit and per account with account numbers read, billed rows; a <script> cell shows as text', async () => {
    const s = await start({ records: tenant() });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', `${A},5.5`, `${B},7`, `${BILLED},3`, `${MISSING},1`, `${A},${SCRIPT}`]);
    const report = join(dir, 'fix.report.html');
    const run = await runCli([input, '--preview', '--report', report, '--summary-json', join(dir, 's.json')], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(2);
    expect(JSON.parse(reads(s)[0]?.body ?? '{}').queryString).toMatch(/^select Id, RbeStatus, AccountId, AccountNumber, Quantity, UOM from Usage/);
    const doc = page(report);
    expect(counts(doc)).toEqual({ 'would-update': '2', blocked: '1', 'not-found': '1', invalid: '1', 'rows with a result': '5' });
    expect(elements(doc).filter((n) => attr(n, 'class') === 'group').map((n) => attr(n, 'data-code'))).toEqual(['BILLED', 'INVALID_ROW', 'NOT_FOUND']);
    expect(elements(doc).some((n) => n.tagName === 'script')).toBe(false);
    expect(text(doc)).toContain(SCRIPT);
    expect(tableRows(byId(doc, 'by-uom')).slice(1)).toEqual([
      ['GB', '2', '13', '10', '-3'],
      ['Minutes', '1', '4', '5.5', '+1.5'],
    ]);
    expect(tableRows(byId(doc, 'by-account')).slice(1).map((r) => [r[0]?.slice(0, 9), r[1], r[5]])).toEqual([
      ['A00000002', 'GB', '-3'],
      ['A00000001', 'Minutes', '+1.5'],
      ['A00001234', 'GB', '0'],
    ]);
    expect(text(doc)).toMatch(/Billed rows \(blocked: 1\)/);
    expect(text(doc)).toMatch(/SHA-256[0-9a-f]{64}/);
    // The summary and the summary JSON total per unit, never Minutes and GB together.
    expect(run.stderr).toContain('quantity:  GB: 13 -> 10 (-3, 2 records)');
    expect(run.stderr).toContain('Minutes: 4 -> 5.5 (+1.5, 1 records)');
    const summary = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    expect(summary.preview.quantityChange).toBe('-1.5');
    expect(summary.preview.byUom.map((t: { key: string; change: string }) => [t.key, t.change])).toEqual([['GB', '-3'], ['Minutes', '1.5']]);
    expect(summary.preview.byAccount.top[0]).toMatchObject({ key: 'A00000002', uom: 'GB', change: '-3', accountId: '8ad00000000000000000000000000002' });
  });

  it('a run with --backup and --verify (put): the change Zuora confirmed per unit, requests by kind, verify outcomes, the backup and the restore command', async () => {
    const s = await start({ records: tenant() });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', `${A},5`, `${B},8`, `${BILLED},1`, `${B},7`]);
    const report = join(dir, 'r.html');
    const run = await runCli([input, '--backup', join(dir, 'fix.backup.csv'), '--verify', '--report', report], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(2);
    const doc = page(report);
    expect(counts(doc)).toEqual({ updated: '3', failed: '1', 'rows with a result': '4' });
    // Old values from the backup reads; new ones only from rows Zuora answered updated (the billed row was refused).
    expect(tableRows(byId(doc, 'by-uom')).slice(1)).toEqual([
      ['GB', '2', '13', '10', '-3'],
      ['Minutes', '1', '4', '5', '+1'],
    ]);
    expect(tableRows(byId(doc, 'top-rows')).slice(1).map((r) => [r[0], r[1], r[6]])).toEqual([
      ['5', B, '-3'],
      ['2', A, '+1'],
    ]);
    const facts = runFacts(doc);
    expect(facts.Requests).toMatch(/^updates 4, reads [1-9]\d*, tokens 1$/);
    // B's first row (8) is wholly set again by its later row, which Zuora answered success: nothing left to compare, not counted verified.
    expect(facts.Verify).toBe('2 rows read back as sent, 0 mismatches, 0 not verified, 0 unknown found applied, 1 left with no field to compare');
    expect(facts.Backup).toContain('fix.backup.csv (3 Ids)');
    // The target came from ZUORA_BASE_URL, which the restore uses again.
    expect(facts['How to restore']).toContain(`zuora-usage-update ${join(dir, 'fix.backup.csv')} --verify`);
  });

  it('--skip-unchanged with --backup: the change counts every updated row of an Id with more than one row (the rows per Id are counted down once, not by both)', async () => {
    const s = await start({ records: tenant() });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', `${A},5`, `${B},8`, `${B},7`, `${A},5`]);
    const report = join(dir, 'r.html');
    const run = await runCli([input, '--skip-unchanged', '--backup', join(dir, 'fix.backup.csv'), '--report', report], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    const doc = page(report);
    expect(counts(doc)).toEqual({ updated: '3', unchanged: '1', 'rows with a result': '4' });
    // B ends at 7 (its last row), as Zuora holds it: not at 8, as if its first row had been its last.
    expect(String(s.tenant.get(B)?.Quantity)).toBe('7');
    expect(tableRows(byId(doc, 'by-uom')).slice(1)).toEqual([
      ['GB', '1', '10', '7', '-3'],
      ['Minutes', '1', '4', '5', '+1'],
    ]);
  });

  it('a run with --transport actions and no reads, and a dry run: results, and no quantity change claimed', async () => {
    const s = await start({ records: tenant() });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', `${A},5`, `${B},abc`]);
    const actions = await runCli([input, '--transport', 'actions', '--report', join(dir, 'a.html')], { env: demoEnv(s) });
    expect(actions.code, actions.stderr).toBe(2);
    const doc = page(join(dir, 'a.html'));
    expect(counts(doc)).toEqual({ updated: '1', invalid: '1', 'rows with a result': '2' });
    expect(runFacts(doc).Requests).toBe('updates 1, reads 0, tokens 1');
    expect(text(doc)).toContain('This run read no records before changing them');
    const dry = await runCli([input, '--dry-run', '--env', 'local', '--report', join(dir, 'd.html')]);
    expect(dry.code, dry.stderr).toBe(2);
    const dryDoc = page(join(dir, 'd.html'));
    expect(counts(dryDoc)).toEqual({ valid: '1', invalid: '1', 'rows with a result': '2' });
    expect(text(dryDoc)).toContain('Dry run finished, exit code 2: nothing was changed in Zuora');
  });

  it('an early stop (exit 3) writes the report; a run that cannot start writes none', async () => {
    const s = await start({ records: tenant() });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', `${MISSING},1`, `${usageId(0xe)},1`, `${usageId(0xf)},1`, `${A},5`]);
    const stopped = await runCli([input, '-c', '1', '--max-failures', '0', '--report', join(dir, 'stop.html')], { env: demoEnv(s) });
    expect(stopped.code, stopped.stderr).toBe(3);
    const doc = page(join(dir, 'stop.html'));
    expect(text(doc)).toContain('Run stopped early, exit code 3');
    expect(elements(doc).find((n) => attr(n, 'data-code') === 'INVALID_ID')).toBeDefined();
    expect(counts(doc)).toEqual({ failed: '1', 'not reached': '3', 'rows with a result': '1' });

    const refused = await runCli([input, '--report', join(dir, 'refused.html'), '--out', join(dir, 'other.csv')], {
      env: { ...demoEnv(s), ZUORA_CLIENT_SECRET: 'wrong' },
    });
    expect(refused.code, refused.stderr).toBe(1);
    expect(existsSync(join(dir, 'refused.html'))).toBe(false);

    const same = await runCli([input, '--report', join(dir, 'fix.results.csv')], { env: demoEnv(s) });
    expect(same.code).toBe(1);
    expect(same.stderr).toMatch(/--out .* is the same file as --report|--report .* is the same file as --out/);
    // An existing file that is not one of this tool's reports (a backup, an input) is never written over.
    const precious = join(dir, 'precious.html');
    writeFileSync(precious, 'Id,Quantity\n');
    const kept = await runCli([input, '--report', precious], { env: demoEnv(s) });
    expect(kept.code).toBe(1);
    expect(kept.stderr).toMatch(/--report .*precious.html already exists and is not an HTML report of this tool/);
    expect(readFileSync(precious, 'utf8')).toBe('Id,Quantity\n');
    const clash = await runCli([input, '--report', input], { env: demoEnv(s) });
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/--report .* is the same file as the input/);
  });

  it('a second signal, which abandons the requests in flight, still leaves the report', async () => {
    const records = Array.from({ length: 60 }, (_, i) => pendingRecord(usageId(0x100 + i), { Quantity: 1 }));
    const s = await start({ records, latencyMs: 3000 });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', ...records.map((r) => `${r.Id},2`)]);
    const report = join(dir, 'int.html');
    const child = spawnCli([input, '-c', '4', '--report', report], { env: demoEnv(s) });
    await waitFor(() => putRequests(s).length >= 4, { timeoutMs: 60_000, what: '4 PUTs' });
    child.kill('SIGINT');
    // A real wait: the CLI's one-second repeat window (a repeat within it is the same request) is on its own clock.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(readdirSync(dir)).toContain('int.html');
    expect(text(page(report))).toContain('Run interrupted, exit code 130');
  });
});
