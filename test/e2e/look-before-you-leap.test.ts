import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { ACTION_QUERY_FAULT_KEY } from '../../src/simulator/create-simulator.js';
import { demoEnv, inputFile, readCsv, runCli } from '../helpers/cli.js';
import { seededRandom } from '../helpers/generate.js';
import { usageId } from '../helpers/sender.js';
import { pendingRecord, simulatorPerTest } from '../helpers/with-simulator.js';
import { updateRequests } from '../helpers/received-requests.js';
import { startCli } from '../helpers/start-cli.js';
import { A, B, BILLED, UNKNOWN, SAME, backupRows, heldValues, previewTenant, reads } from '../helpers/look-before.js';

const start = simulatorPerTest();

describe('--preview', () => {
  it('says what would change per row without sending any update, with before_ values, the quantity total and one read', async () => {
    const s = await start({ records: previewTenant() });
    const { dir, input } = await inputFile('fix.csv', [
      'Id,Quantity,StartDateTime,Region__c',
      `${A},5,,`, // changed
      `${B},10.000,2026-01-15,`, // unchanged: same decimal, same wall-clock time in the tenant's zone
      `${BILLED},3,,`, // billed: a standard field is sent even unchanged
      `${BILLED},,,EMEA`, // billed, but a custom field may change
      `${UNKNOWN},1,,`, // no such record
      `${A},abc,,`, // invalid
      `${SAME},2,,`, // same Id: compared with what the earlier rows leave
      `${SAME},2.0,,`,
      `${SAME},0.5,,`,
    ]);
    const run = await runCli([input, '--preview', '--track-prefix', 'pv', '--summary-json', join(dir, 'summary.json')], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(2);
    expect(existsSync(join(dir, 'fix.failures.csv'))).toBe(false);
    expect(existsSync(join(dir, 'fix.results.csv'))).toBe(false);
    const rows = await readCsv(join(dir, 'fix.preview.csv'));
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'Id', 'Quantity', 'before_Quantity', 'StartDateTime', 'before_StartDateTime', 'Region__c', 'before_Region__c', 'changes',
      'result', 'error_code', 'error_message', 'http_status', 'attempts', 'track_id', 'request_id', 'line',
    ]);
    const start15 = '2026-01-15T00:00:00.000-08:00';
    expect(rows.map((r) => [r.result, r.error_code, r.before_Quantity, r.before_StartDateTime, r.before_Region__c])).toEqual([
      ['would-update', '', '4', start15, 'EMEA'],
      ['unchanged', '', '10', start15, ''],
      ['blocked', 'BILLED', '3', start15, 'APAC'],
      ['would-update', '', '3', start15, 'APAC'],
      ['not-found', 'NOT_FOUND', '', '', ''],
      ['invalid', 'INVALID_ROW', '', '', ''],
      ['would-update', '', '1', start15, ''],
      ['unchanged', '', '1', start15, ''],
      ['would-update', '', '1', start15, ''],
    ]);
    expect(rows.map((r) => r.changes)).toEqual([
      'Quantity 4 → 5',
      '',
      '',
      'Region__c APAC → EMEA',
      '',
      '',
      'Quantity 1 → 2',
      'no change: line 8 of this Id already sets Quantity 2',
      'Quantity 2 → 0.5 (2 set by line 8 of this Id)',
    ]);
    const readRows = rows.filter((r) => r.result !== 'invalid');
    expect(readRows.every((r) => r.attempts === '0' && r.track_id === 'pv-q1' && r.http_status === '200' && r.request_id === reads(s)[0]?.requestId)).toBe(true);
    expect(rows[2]?.error_message).toMatch(/billed.*Quantity/);

    expect(updateRequests(s)).toEqual([]);
    expect(reads(s)).toHaveLength(1);
    expect(s.tenant.get(A)?.Quantity).toBe('4');

    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    // +1 (A) +1 (SAME 1 -> 2) -1.5 (SAME 2 -> 0.5)
    expect(summary).toMatchObject({
      exitCode: 2,
      preview: { quantityChange: '0.5' },
      requests: { updates: 0, reads: 1 },
      outputs: { failures: null },
      counts: { 'would-update': 4, unchanged: 2, blocked: 1, 'not-found': 1, invalid: 1 },
    });
    expect(run.stderr).toContain('4 would-update, 2 unchanged, 1 blocked, 1 not-found, 0 failed, 1 invalid');
    // Per unit of measure (here every record is in GB): old and new totals of the records read.
    expect(run.stderr).toContain('quantity:  GB: 18 -> 18.5 (+0.5, 4 records)');
  });

  it('exits 0 when every row would update or is unchanged', async () => {
    const s = await start({ records: previewTenant() });
    const { input } = await inputFile('ok.csv', ['Id,Quantity', `${A},4`, `${B},11`]);
    const run = await runCli([input, '--preview'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    expect(updateRequests(s)).toEqual([]);
  });

  it('reads 200 ids a request, and a read that meets 429 and 5xx answers recovers', async () => {
    const s = await start({ acceptAnyId: true });
    s.script(ACTION_QUERY_FAULT_KEY, [
      { kind: 'rate-limited', retryAfterSeconds: 1 },
      { kind: 'status', status: 500 },
      { kind: 'status', status: 503, body: '<html>maintenance</html>' },
    ]);
    const rows = 450;
    const { dir, input } = await inputFile('many.csv', ['Id,Quantity', ...Array.from({ length: rows }, (_, i) => `${usageId(i)},${i % 2 === 0 ? '1' : '2'}`)]);
    const run = await runCli([input, '--preview', '--track-prefix', 'pv'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    const preview = await readCsv(join(dir, 'many.preview.csv'));
    expect(preview.map((r) => r.result)).toEqual(Array.from({ length: rows }, (_, i) => (i % 2 === 0 ? 'unchanged' : 'would-update')));
    const retries = 3;
    expect(reads(s).length).toBeLessThanOrEqual(Math.ceil(rows / 200) + retries);
    expect(reads(s).filter((r) => r.status === 200)).toHaveLength(Math.ceil(rows / 200));
    // Three calls, each retried under its own number until it got its 200.
    const byCall = new Map<string, Array<number | undefined>>();
    for (const r of reads(s)) byCall.set(r.trackId ?? '', [...(byCall.get(r.trackId ?? '') ?? []), r.status]);
    expect([...byCall.keys()].sort()).toEqual(['pv-q1', 'pv-q2', 'pv-q3']);
    for (const statuses of byCall.values()) expect(statuses.indexOf(200)).toBe(statuses.length - 1);
    expect([...byCall.values()].flat().filter((status) => status !== 200).sort()).toEqual([429, 500, 503]);
    expect(updateRequests(s)).toEqual([]);
  });

  it.each([
    [['--dry-run']],
    [['--backup', 'b.csv']],
    [['--verify']],
    [['--resume']],
  ])('refuses --preview with %j (exit 1, nothing written)', async (extra) => {
    const s = await start({ records: previewTenant() });
    const { dir, input } = await inputFile('p.csv', ['Id,Quantity', `${A},5`]);
    const run = await runCli([input, '--preview', ...extra.map((a) => (a === 'b.csv' ? join(dir, a) : a))], { env: demoEnv(s) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--preview only reads/);
    expect(s.requests).toEqual([]);
    expect(existsSync(join(dir, 'p.preview.csv'))).toBe(false);
  });
});

describe('--backup', () => {
  it('saves each Id once before it changes; running the backup file puts every record back', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => usageId(0x100 + i));
    const records = ids.map((id, i) =>
      pendingRecord(id, { Quantity: `${i}.25`, EndDateTime: '2026-01-15T23:59:59.000-08:00', Region__c: `R${i}`, UOM: i % 2 ? 'GB' : 'Each' }),
    );
    const s = await start({ records });
    const original = new Map(ids.map((id) => [id, heldValues(s.tenant.get(id))]));
    const lines = ['Id;Quantity;StartDateTime;EndDateTime;UOM;Region__c'];
    for (const [i, id] of ids.entries()) lines.push(`${id};${i + 100};2026-02-0${(i % 9) + 1};2026-02-0${(i % 9) + 1}T23:00:00+01:00;MB;X${i}`);
    lines.push(`${ids[0]};7;;;;`); // a later row of the same Id
    lines.push(`${UNKNOWN};5;;;;`, `${UNKNOWN};6;;;;`); // no such record: neither row is sent
    const { dir, input } = await inputFile('fix.csv', lines);
    const backup = join(dir, 'fix.backup.csv');
    const run = await runCli([input, '--backup', backup, '--track-prefix', 'bk', '--summary-json', join(dir, 's.json')], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(2);

    const results = await readCsv(join(dir, 'fix.results.csv'), ';');
    expect(results.slice(0, 31).every((r) => r.result === 'updated')).toBe(true);
    expect(results.slice(31).map((r) => [r.result, r.error_code, r.attempts, r.track_id])).toEqual([
      ['failed', 'NOT_FOUND', '0', 'bk-q1'],
      ['failed', 'NOT_FOUND', '0', 'bk-q1'],
    ]);
    expect(s.requests.filter((r) => r.usageId === UNKNOWN)).toEqual([]);
    expect(s.tenant.get(ids[0] as string)?.Quantity).toBe('7');

    // The backup: an input file (same delimiter, no BOM), one row per Id, values from before the run.
    const text = await readFile(backup, 'utf8');
    expect(text.startsWith('Id;Quantity;StartDateTime;EndDateTime;UOM;Region__c\n')).toBe(true);
    const saved = parse(text, { columns: true, delimiter: ';' }) as Array<Record<string, string>>;
    expect(saved.map((r) => r.Id).sort()).toEqual([...ids].sort());
    expect(saved.find((r) => r.Id === ids[3])).toEqual({
      Id: ids[3],
      Quantity: '3.25',
      StartDateTime: '2026-01-15T00:00:00.000-08:00',
      EndDateTime: '2026-01-15T23:59:59.000-08:00',
      UOM: 'GB',
      Region__c: 'R3',
    });
    // Every backup read happened before the first update of its Ids.
    const firstPut = s.requests.findIndex((r) => r.method === 'PUT');
    expect(reads(s).every((r) => r.seq < firstPut)).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 's.json'), 'utf8'))).toMatchObject({ backup: { ids: 30 }, requests: { reads: 1 } });

    const restore = await runCli([backup], { env: demoEnv(s) });
    expect(restore.code, restore.stderr).toBe(0);
    for (const id of ids) expect(heldValues(s.tenant.get(id)), id).toEqual(original.get(id));
  });

  it('refuses an existing backup unless --resume, and appends with --resume, never backing up an Id twice', async () => {
    const s = await start({ acceptAnyId: true });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', `${usageId(1)},5`, `${usageId(2)},6`]);
    const backup = join(dir, 'b.csv');
    // The last record cut short by a kill in its Id (one field of two: it does not parse as a record).
    await writeFile(backup, `Id,Quantity\n${usageId(1)},1\n${usageId(9)},3\n${usageId(3).slice(0, 20)}`);
    const refused = await runCli([input, '--backup', backup], { env: demoEnv(s) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already exists/);
    expect(s.requests).toEqual([]);
    expect(existsSync(join(dir, 'fix.results.csv'))).toBe(false);

    const resumed = await runCli([input, '--backup', backup, '--resume'], { env: demoEnv(s) });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await readFile(backup, 'utf8')).toBe(`Id,Quantity\n${usageId(1)},1\n${usageId(9)},3\n${usageId(2)},1\n`);
    // Both Ids are read (the check for quantities 1000 × Zuora's needs the current value), and only the one not yet backed up is added.
    expect(reads(s).map((r) => JSON.parse(r.body).queryString)).toEqual([`select Id, RbeStatus, AccountId, Quantity from Usage where Id = '${usageId(1)}' or Id = '${usageId(2)}'`]);
  });

  it.each([
    [['--dry-run'], /a dry run changes nothing/],
    [['--out', 'SAME'], /--backup \S+o\.backup\.csv is the same file as --out/],
    [['--summary-json', 'SAME'], /--backup \S+o\.backup\.csv is the same file as --summary-json/],
    [['--verify', '--dry-run'], /a dry run changes nothing|nothing to read back/],
  ])('refuses --backup with %j before anything is sent (exit 1)', async (extra, message) => {
    const s = await start({ acceptAnyId: true });
    const { dir, input } = await inputFile('o.csv', ['Id,Quantity', `${usageId(1)},5`]);
    const backup = join(dir, 'o.backup.csv');
    const run = await runCli([input, '--backup', backup, ...extra.map((a) => (a === 'SAME' ? backup : a))], { env: demoEnv(s) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(s.requests).toEqual([]);
    expect(existsSync(backup)).toBe(false);
  });

  it('after kill -9 at random moments, every record the simulator changed has its original values in the backup', { timeout: 180_000 }, async () => {
    const seed = Number(process.env.BACKUP_SEED ?? 20260601);
    const random = seededRandom(seed);
    for (let trial = 0; trial < 5; trial++) {
      const ids = Array.from({ length: 600 }, (_, i) => usageId(trial * 10_000 + i));
      // The moment: right after the simulator answered the n-th update, or the n-th read.
      const killAfter = random() < 0.7 ? { path: 'PUT', count: 1 + Math.floor(random() * 590) } : { path: '/v1/action/query', count: 1 + Math.floor(random() * 3) };
      let seen = 0;
      let kill = (): void => undefined;
      const s = await start({
        records: ids.map((id, i) => pendingRecord(id, { Quantity: `${i}.5`, UOM: 'Each' })),
        latencyMs: 2,
        logger: (line) => {
          if (line.startsWith(killAfter.path) || line.includes(` ${killAfter.path} `)) if (++seen === killAfter.count) kill();
        },
      });
      const original = new Map(ids.map((id) => [id, heldValues(s.tenant.get(id))]));
      const { dir, input } = await inputFile('big.csv', ['Id,Quantity,UOM', ...ids.map((id, i) => `${id},${i + 1000},GB`)]);
      const backup = join(dir, 'big.backup.csv');
      const context = `seed ${seed}, trial ${trial}, kill after ${killAfter.path} #${killAfter.count}`;
      const changed = (): string[] => ids.filter((id) => JSON.stringify(heldValues(s.tenant.get(id))) !== JSON.stringify(original.get(id)));
      const check = (stage: string): void => {
        const saved = new Map(backupRows(backup).map((r) => [r.Id, r]));
        for (const id of changed()) {
          const row = saved.get(id);
          expect(row, `${context}, ${stage}: ${id} changed without a backup`).toBeDefined();
          expect({ Quantity: row?.Quantity, UOM: row?.UOM }, `${context}, ${stage}: ${id}`).toEqual({ Quantity: original.get(id)?.Quantity, UOM: original.get(id)?.UOM });
        }
      };
      // Killed from the simulator's log, at the very request: polling would let the run go on and finish.
      const cli = startCli([input, '--backup', backup, '-c', '8', '--resume'], demoEnv(s), { stderr: 'ignore' });
      kill = cli.kill;
      const code = await cli.exited;
      expect(code, context).toBeNull();
      check('killed');
      const final = await runCli([input, '--backup', backup, '--resume'], { env: demoEnv(s) });
      expect(final.code, `${context}: ${final.stderr}`).toBe(0);
      expect(changed(), context).toHaveLength(ids.length);
      check('resumed');
      const saved = backupRows(backup).map((r) => r.Id);
      expect(new Set(saved).size, `${context}: an Id backed up twice`).toBe(saved.length);
      expect(saved.sort(), context).toEqual([...ids].sort());
    }
  });
});
