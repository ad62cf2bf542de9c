import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_QUERY_FAULT_KEY, ACTION_UPDATE_FAULT_KEY, type Simulator } from '../../src/simulator/create-simulator.js';
import { demoEnv, inputFile, readCsv, runCli } from '../helpers/cli.js';
import { usageId } from '../helpers/sender.js';
import { pendingRecord, simulatorPerTest } from '../helpers/with-simulator.js';
import { updateRequests } from '../helpers/received-requests.js';
import { A, backupRows, previewTenant, reads } from '../helpers/look-before.js';

const start = simulatorPerTest();

describe('--verify', () => {
  it('reads updated rows back in batches; later rows of an Id never make an earlier one a mismatch', async () => {
    const ids = Array.from({ length: 5 }, (_, i) => usageId(0x200 + i));
    const s = await start({ records: ids.map((id) => pendingRecord(id)) });
    const { dir, input } = await inputFile('v.csv', [
      'Id,Quantity,UOM',
      ...ids.map((id, i) => `${id},${i + 1},GB`),
      `${ids[0]},50,`,
      `${ids[0]},60,MB`,
    ]);
    const run = await runCli([input, '--verify', '--summary-json', join(dir, 's.json')], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    const results = await readCsv(join(dir, 'v.results.csv'));
    expect(results.map((r) => [r.result, r.error_code])).toEqual(Array(7).fill(['updated', '']));
    // The first two rows of ids[0] have every field set again by the last: nothing left to compare.
    expect(JSON.parse(await readFile(join(dir, 's.json'), 'utf8'))).toMatchObject({ verify: { verified: 5, mismatches: 0, notVerified: 0, notCompared: 2 } });
    expect(reads(s).length).toBeGreaterThanOrEqual(1);
    expect(run.stderr).toMatch(/verified: +5 rows as sent, 0 mismatches/);
    expect(run.stderr).toMatch(/2 rows not compared/);
  });

  it('turns an update applied but never answered into updated (VERIFIED_AFTER_UNKNOWN)', async () => {
    const ids = [usageId(0x300), usageId(0x301)];
    const s = await start({ records: ids.map((id) => pendingRecord(id)) });
    s.script(ids[0] as string, [{ kind: 'apply-then-drop' }]);
    s.script(ids[1] as string, [{ kind: 'drop' }]);
    const { dir, input } = await inputFile('u.csv', ['Id,Quantity', `${ids[0]},8`, `${ids[1]},9`]);
    const run = await runCli([input, '--verify', '--max-attempts', '1'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(2);
    const results = await readCsv(join(dir, 'u.results.csv'));
    expect(results.map((r) => [r.result, r.error_code])).toEqual([
      ['updated', 'VERIFIED_AFTER_UNKNOWN'],
      ['unknown', 'ECONNRESET'],
    ]);
    expect(results[0]?.error_message).toMatch(/Zuora holds the values sent/);
  });

  describe.each([['put'], ['actions']])('--transport %s: a later row that Zuora did not answer success covers nothing', (transport) => {
    const X = usageId(0x700);
    // The second row: refused for a unit the tenant does not define, or sent and never answered.
    const later: Array<[string, string, (s: Simulator) => void]> = [
      ['refused (400)', `${X},7,Bogus`, () => {}],
      ['reset (no answer)', `${X},7,`, (s) => s.script(transport === 'put' ? X : ACTION_UPDATE_FAULT_KEY, [{ kind: 'pass' }, { kind: 'drop' }])],
    ];
    it.each(later)('second row %s: the first row, whose Quantity Zuora ignored, is a mismatch, never verified', async (name, second, script) => {
      const s = await start({ records: [pendingRecord(X, { Quantity: 1 })], ignoreFieldsById: { [X]: ['Quantity'] } });
      script(s);
      const { dir, input } = await inputFile('l.csv', ['Id,Quantity,UOM', `${X},5,`, second]);
      const run = await runCli([input, '--verify', '--transport', transport, '--max-attempts', '1', '--summary-json', join(dir, 's.json')], { env: demoEnv(s) });
      expect(run.code, run.stderr).toBe(2);
      expect(s.tenant.get(X)?.Quantity).toBe('1');
      const [first, last] = await readCsv(join(dir, 'l.results.csv'));
      expect([first?.result, first?.error_code]).toEqual(['failed', 'VERIFY_MISMATCH']);
      expect(first?.error_message).toMatch(/Quantity sent 5, read 1/);
      expect(last?.result).toBe(name.startsWith('refused') ? 'failed' : 'unknown');
      expect(JSON.parse(await readFile(join(dir, 's.json'), 'utf8'))).toMatchObject({ verify: { verified: 0, mismatches: 1 } });
    });
  });

  it.each([['put'], ['actions']])('--transport %s: applied, answer lost, then 503: unknown (never failed), and the read-back makes it updated VERIFIED_AFTER_UNKNOWN', async (transport) => {
    const X = usageId(0x710);
    const s = await start({ records: [pendingRecord(X, { Quantity: 1 })] });
    s.script(transport === 'put' ? X : ACTION_UPDATE_FAULT_KEY, [{ kind: 'apply-then-drop' }, { kind: 'status', status: 503 }]);
    const { dir, input } = await inputFile('a.csv', ['Id,Quantity', `${X},5`]);
    const plain = await runCli([input, '--transport', transport, '--max-attempts', '2'], { env: demoEnv(s) });
    expect(plain.code, plain.stderr).toBe(2);
    const [row] = await readCsv(join(dir, 'a.results.csv'));
    expect([row?.result, row?.error_code, row?.http_status]).toEqual(['unknown', 'ECONNRESET', '503']);
    s.script(transport === 'put' ? X : ACTION_UPDATE_FAULT_KEY, [{ kind: 'apply-then-drop' }, { kind: 'status', status: 503 }]);
    const verified = await runCli([input, '--transport', transport, '--max-attempts', '2', '--verify'], { env: demoEnv(s) });
    expect(verified.code, verified.stderr).toBe(0);
    const [again] = await readCsv(join(dir, 'a.results.csv'));
    expect([again?.result, again?.error_code]).toEqual(['updated', 'VERIFIED_AFTER_UNKNOWN']);
  });

  it('counts mismatches towards --max-failures', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => usageId(0x600 + i));
    const s = await start({ records: ids.map((id) => pendingRecord(id)), ignoreFields: ['UOM'] });
    const { input } = await inputFile('x.csv', ['Id,UOM', ...ids.map((id) => `${id},MB`)]);
    const run = await runCli([input, '--verify', '--max-failures', '3', '-c', '1'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/--max-failures reached \(4 failed/);
  });

  it('keeps a row updated with NOT_VERIFIED when its read-back cannot be done', async () => {
    const id = usageId(0x400);
    const s = await start({ records: [pendingRecord(id)] });
    // A custom field the tenant does not define: the PUT (without rejectUnknownFields) ignores it, and
    // the query refuses to select it.
    const { dir, input } = await inputFile('n.csv', ['Id,Quantity,Mystery__c', `${id},8,x`]);
    const run = await runCli([input, '--verify', '--no-reject-unknown-fields'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    const [row] = await readCsv(join(dir, 'n.results.csv'));
    expect([row?.result, row?.error_code]).toEqual(['updated', 'NOT_VERIFIED']);
    expect(row?.error_message).toMatch(/read-back failed.*Mystery__c/i);
  });

  it('catches a field Zuora acknowledged but did not apply: VERIFY_MISMATCH with both values, exit 2', async () => {
    const ids = [usageId(0x500), usageId(0x501)];
    const s = await start({ records: ids.map((id) => pendingRecord(id, { UOM: 'GB' })), ignoreFieldsById: { [ids[1] as string]: ['UOM'] } });
    const { dir, input } = await inputFile('m.csv', ['Id,Quantity,UOM', `${ids[0]},8,MB`, `${ids[1]},9,MB`]);
    const run = await runCli([input, '--verify', '--track-prefix', 'vf', '--summary-json', join(dir, 's.json')], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(2);
    const results = await readCsv(join(dir, 'm.results.csv'));
    expect(results.map((r) => [r.result, r.error_code])).toEqual([
      ['updated', ''],
      ['failed', 'VERIFY_MISMATCH'],
    ]);
    expect(results[1]?.error_message).toBe('Zuora answered success but holds other values: UOM sent MB, read GB (read back by vf-q1)');
    // The row keeps its update's ids; it is in the failures file, ready to send again.
    expect(results[1]?.track_id).toBe('vf-3');
    expect((await readCsv(join(dir, 'm.failures.csv'))).map((r) => r.Id)).toEqual([ids[1]]);
    expect(JSON.parse(await readFile(join(dir, 's.json'), 'utf8'))).toMatchObject({ verify: { verified: 1, mismatches: 1, notVerified: 0 } });
  });
});

describe('a 2xx read answer that is not a query result (a proxy page)', () => {
  const page = { kind: 'status' as const, status: 200, body: '<html><body>Please sign in to the proxy</body></html>', headers: { 'content-type': 'text/html' } };

  it('--preview: the row is failed UNEXPECTED_ANSWER, never not-found', async () => {
    const s = await start({ records: previewTenant() });
    s.script(ACTION_QUERY_FAULT_KEY, [page]);
    const { dir, input } = await inputFile('p.csv', ['Id,Quantity', `${A},5`]);
    const run = await runCli([input, '--preview'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(2);
    const [row] = await readCsv(join(dir, 'p.preview.csv'));
    expect(row).toMatchObject({ result: 'failed', error_code: 'UNEXPECTED_ANSWER', http_status: '200' });
  });

  it('--backup: the row is not sent (failed UNEXPECTED_ANSWER) and nothing is backed up as "no record"', async () => {
    const s = await start({ records: previewTenant() });
    s.script(ACTION_QUERY_FAULT_KEY, [page]);
    const { dir, input } = await inputFile('b.csv', ['Id,Quantity', `${A},5`]);
    const backup = join(dir, 'b.backup.csv');
    const run = await runCli([input, '--backup', backup], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(2);
    const [row] = await readCsv(join(dir, 'b.results.csv'));
    expect(row).toMatchObject({ result: 'failed', error_code: 'UNEXPECTED_ANSWER', attempts: '0' });
    expect(updateRequests(s)).toEqual([]);
    expect(String(s.tenant.get(A)?.Quantity)).toBe('4');
  });
});

describe('with --transport actions', () => {
  it('backs up before the batch call and verifies after it, reads and updates through the one call loop', async () => {
    const ids = Array.from({ length: 5 }, (_, i) => usageId(0x400 + i));
    const s = await start({ records: ids.map((id) => pendingRecord(id, { Quantity: 1 })) });
    const { dir, input } = await inputFile('a.csv', ['Id,Quantity', ...ids.map((id, i) => `${id},${i + 10}`)]);
    const backup = join(dir, 'a.backup.csv');
    const run = await runCli([input, '--transport', 'actions', '--backup', backup, '--verify', '--track-prefix', 'ac', '--summary-json', join(dir, 's.json')], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    expect(updateRequests(s).map((r) => r.path)).toEqual(['/v1/action/update']);
    expect(reads(s).map((r) => r.trackId)).toEqual(['ac-q1', 'ac-q2']);
    expect(backupRows(backup).map((r) => [r.Id, r.Quantity])).toEqual(ids.map((id) => [id, '1']));
    const summary = JSON.parse(await readFile(join(dir, 's.json'), 'utf8'));
    expect(summary).toMatchObject({ requests: { updates: 1, reads: 2 }, verify: { verified: 5, mismatches: 0, notVerified: 0 }, backup: { ids: 5 } });
  });
});
