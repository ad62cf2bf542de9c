import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Simulator, UsageRecord } from '../../src/simulator/create-simulator.js';
import { demoEnv, inputFile, readCsv, runCli } from '../helpers/cli.js';
import { usageId } from '../helpers/sender.js';
import { pendingRecord, simulatorPerTest } from '../helpers/with-simulator.js';
import { putRequests, updateRequests } from '../helpers/received-requests.js';

const start = simulatorPerTest();

const reads = (s: Simulator) => s.requests.filter((r) => r.path.startsWith('/v1/action/query'));

const A = usageId(0xa);
const B = usageId(0xb);
const C = usageId(0xc);
const BILLED = usageId(0xd);
const MISSING = usageId(0xe);

function tenant(): UsageRecord[] {
  return [
    pendingRecord(A, { Quantity: 5, StartDateTime: '2026-01-15T00:00:00.000-08:00', Region__c: 'EMEA' }),
    pendingRecord(B, { Quantity: 10, UOM: 'GB' }),
    pendingRecord(C, { Quantity: 1 }),
    pendingRecord(BILLED, { Quantity: 3, RbeStatus: 'Processed' }),
  ];
}

describe('--skip-unchanged', () => {
  it.each(['put', 'actions'])('sends only the rows that change something (--transport %s); the others are unchanged with attempts 0 and the read ids', async (transport) => {
    const s = await start({ records: tenant() });
    const { dir, input } = await inputFile('fix.csv', [
      'Id,Quantity,StartDateTime,UOM,Region__c',
      `${A},5.000,2026-01-15,,EMEA`, // same decimal, same wall-clock time in the tenant's zone
      `${B},12,,GB,`, // changed
      `${C},1,2026-01-15T08:00:00Z,,`, // the same instant, written in UTC
      `${BILLED},3,,,`, // billed, but nothing to change: nothing to send
    ]);
    const summaryJson = join(dir, 'summary.json');
    const run = await runCli([input, '--skip-unchanged', '--transport', transport, '--track-prefix', 'sk', '--summary-json', summaryJson], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    expect(updateRequests(s)).toHaveLength(1);
    expect(updateRequests(s)[0]?.ids ?? [updateRequests(s)[0]?.usageId]).toEqual([B]);
    expect(reads(s).map((r) => r.trackId)).toEqual(['sk-q1']);
    const rows = await readCsv(join(dir, 'fix.results.csv'));
    expect(rows.map((r) => [r.result, r.attempts])).toEqual([
      ['unchanged', '0'],
      ['updated', '1'],
      ['unchanged', '0'],
      ['unchanged', '0'],
    ]);
    expect(rows[0]).toMatchObject({ track_id: 'sk-q1', http_status: '200', request_id: reads(s)[0]?.requestId });
    expect(await readCsv(join(dir, 'fix.failures.csv'))).toEqual([]);
    expect(String(s.tenant.get(B)?.Quantity)).toBe('12');
    expect(run.stderr).toMatch(/1 updated, 3 unchanged, 0 failed/);
    const summary = JSON.parse(await readFile(summaryJson, 'utf8')) as { counts: Record<string, number> };
    expect(summary.counts).toMatchObject({ updated: 1, unchanged: 3, failed: 0 });
  });

  it('judges a later row of an Id against what the earlier rows left: a success leaves its value, a failure leaves nothing', async () => {
    // A: row 1 sets 7 and is refused; row 2 sets 7 again, which Zuora does not hold: sent.
    // B: row 1 sets 7 and succeeds; row 2 sets 7: unchanged. Row 3 sets 10, Zuora's value before the run: sent.
    const s = await start({ records: tenant(), faults: { [A]: [{ kind: 'zuora-error', code: 'INVALID_VALUE' }] } });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', `${A},7`, `${B},7`, `${A},7`, `${B},7`, `${B},10`]);
    const run = await runCli([input, '--skip-unchanged', '--track-prefix', 'sk'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(2);
    const rows = await readCsv(join(dir, 'fix.results.csv'));
    expect(rows.map((r) => r.result)).toEqual(['failed', 'updated', 'updated', 'unchanged', 'updated']);
    expect(updateRequests(s).map((r) => r.trackId)).toEqual(expect.arrayContaining(['sk-2', 'sk-3', 'sk-4', 'sk-6']));
    expect(updateRequests(s)).toHaveLength(4);
    expect(String(s.tenant.get(A)?.Quantity)).toBe('7');
    expect(String(s.tenant.get(B)?.Quantity)).toBe('10');
  });

  it('sends every later row of an Id whose earlier row is unknown: what Zuora holds is not known', async () => {
    const s = await start({ records: tenant(), faults: { [C]: [{ kind: 'drop' }] } });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', `${C},2`, `${C},1`]);
    const run = await runCli([input, '--skip-unchanged', '--max-attempts', '1', '--track-prefix', 'sk'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(2);
    expect(updateRequests(s).map((r) => r.trackId)).toEqual(['sk-2', 'sk-3']);
    const rows = await readCsv(join(dir, 'fix.results.csv'));
    expect(rows[0]?.result).toBe('unknown');
    expect(String(s.tenant.get(C)?.Quantity)).toBe('1');
  });

  it('does not send a row whose record cannot be read: failed NOT_FOUND with the read ids, later rows of the Id too', async () => {
    const s = await start({ records: tenant() });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', `${MISSING},2`, `${B},11`, `${MISSING},3`]);
    const run = await runCli([input, '--skip-unchanged', '--track-prefix', 'sk'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(2);
    const rows = await readCsv(join(dir, 'fix.results.csv'));
    expect(rows.map((r) => [r.result, r.error_code, r.attempts, r.track_id])).toEqual([
      ['failed', 'NOT_FOUND', '0', 'sk-q1'],
      ['updated', '', '1', 'sk-3'],
      ['failed', 'NOT_FOUND', '0', 'sk-q1'],
    ]);
    expect(updateRequests(s).map((r) => r.usageId)).toEqual([B]);
  });

  it('with --backup, one read serves both, and --verify reads back only the rows sent', async () => {
    const s = await start({ records: tenant() });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', `${A},5`, `${B},12`, `${C},1`]);
    const backup = join(dir, 'fix.backup.csv');
    const run = await runCli([input, '--skip-unchanged', '--backup', backup, '--verify', '--track-prefix', 'sk'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    // One read before (backup and judgement), one read-back of the row sent.
    expect(reads(s).map((r) => r.ids)).toEqual([[A, B, C], [B]]);
    expect(updateRequests(s)).toHaveLength(1);
    expect(await readFile(backup, 'utf8')).toContain(`${B},10`);
  });

  it('--resume keeps the unchanged rows of an earlier run and sends only what is left', async () => {
    const s = await start({ records: tenant(), faults: { [B]: [{ kind: 'zuora-error', code: 'INVALID_VALUE' }] } });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', `${A},5`, `${B},12`, `${C},1`]);
    const first = await runCli([input, '--skip-unchanged', '--track-prefix', 'sk'], { env: demoEnv(s) });
    expect(first.code, first.stderr).toBe(2);
    const before = s.requests.length;
    const resumed = await runCli([input, '--skip-unchanged', '--resume', '--track-prefix', 'sk2'], { env: demoEnv(s) });
    expect(resumed.code, resumed.stderr).toBe(0);
    const later = s.requests.slice(before);
    expect(later.filter((r) => r.path.startsWith('/v1/action/query')).map((r) => r.ids)).toEqual([[B]]);
    expect(putRequests(s, before).map((r) => r.usageId)).toEqual([B]);
    const rows = await readCsv(join(dir, 'fix.results.csv'));
    expect(rows.map((r) => [r.result, r.track_id])).toEqual([
      ['unchanged', 'sk-q1'],
      ['updated', 'sk2-3'],
      ['unchanged', 'sk-q1'],
    ]);
  });

  it('is a bad option with --preview or --dry-run', async () => {
    const s = await start({ records: tenant() });
    const { input } = await inputFile('fix.csv', ['Id,Quantity', `${A},5`]);
    for (const flag of ['--preview', '--dry-run']) {
      const run = await runCli([input, '--skip-unchanged', flag], { env: demoEnv(s) });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`--skip-unchanged with ${flag}`));
    }
    expect(s.requests).toEqual([]);
  });
});

describe('--skip-unchanged and a quantity a spreadsheet multiplied by 1000', () => {
  it.each(['put', 'actions'])('refuses it from the skip read alone (no --backup), judging a later row of the Id against what the earlier ones leave (--transport %s)', async (transport) => {
    // A holds 5: 5000 is 1000 × (refused). B holds 10: row 1 sets 0.012, so row 2's 12 is 1000 × what row 1 leaves (refused).
    const s = await start({ records: tenant() });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', `${A},5000`, `${B},0.012`, `${B},12`, `${C},2`]);
    const run = await runCli([input, '--skip-unchanged', '--transport', transport, '--track-prefix', 'sk'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(2);
    const rows = await readCsv(join(dir, 'fix.results.csv'));
    expect(rows.map((r) => [r.result, r.error_code, r.attempts])).toEqual([
      ['invalid', 'QUANTITY_TIMES_1000', '0'],
      ['updated', '', '1'],
      ['invalid', 'QUANTITY_TIMES_1000', '0'],
      ['updated', '', '1'],
    ]);
    expect(String(s.tenant.get(A)?.Quantity)).toBe('5');
    expect(String(s.tenant.get(B)?.Quantity)).toBe('0.012');
    expect(updateRequests(s).flatMap((r) => r.ids ?? [r.usageId])).not.toContain(A);

    const allowed = await start({ records: tenant() });
    const again = await runCli([input, '--skip-unchanged', '--allow-times-1000', '--transport', transport], { env: demoEnv(allowed) });
    expect(again.code, again.stderr).toBe(0);
    expect(String(allowed.tenant.get(A)?.Quantity)).toBe('5000');
  });
});
