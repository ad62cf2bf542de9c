import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_QUERY_FAULT_KEY, ACTION_QUERY_MORE_FAULT_KEY, type Simulator, type UsageRecord } from '../../src/simulator/create-simulator.js';
import { demoEnv, readCsv, runCli } from '../helpers/cli.js';
import { usageId } from '../helpers/sender.js';
import { tempDir } from '../helpers/temp-dir.js';
import { pendingRecord, simulatorPerTest } from '../helpers/with-simulator.js';

const start = simulatorPerTest();

const queries = (s: Simulator) => s.requests.filter((r) => r.path.startsWith('/v1/action/query'));

function smallTenant(): UsageRecord[] {
  return [
    pendingRecord(usageId(1), { AccountNumber: 'A1', StartDateTime: '2026-02-01T00:00:00.000-08:00', UOM: 'GB', Quantity: '5.00E-7', Region__c: 'EMEA', Description: '=SUM(A1:A9)' }),
    pendingRecord(usageId(2), { AccountNumber: 'A1', StartDateTime: '2026-01-15T00:00:00.000-08:00', UOM: 'GB', Quantity: 2, RbeStatus: 'Processed' }),
    pendingRecord(usageId(3), { AccountNumber: 'A2', StartDateTime: '2026-02-01T00:00:00.000-08:00', UOM: 'Each', Quantity: 3 }),
    pendingRecord(usageId(4), { AccountNumber: 'A3', StartDateTime: '2026-03-05T00:00:00.000-08:00', UOM: 'GB', Quantity: 4 }),
    pendingRecord(usageId(5), { AccountNumber: 'A2', StartDateTime: '2026-01-31T23:59:59.000-08:00', UOM: 'GB', Quantity: 5, EndDateTime: '2026-02-01T00:00:00.000-08:00' }),
  ];
}

describe('export', () => {
  it('writes the input format: BOM, CRLF, Id then the updatable fields then context, sorted by StartDateTime then Id, quantities plain, context formula-safe', async () => {
    const s = await start({ records: smallTenant() });
    const dir = await tempDir();
    const out = join(dir, 'usage.csv');
    const run = await runCli(['export', '-o', out, '--fields', 'Region__c', '--track-prefix', 'ex'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text.startsWith('\uFEFFId,Quantity,StartDateTime,EndDateTime,UOM,Region__c,AccountNumber,SubscriptionNumber,ChargeNumber,Description,Current Status\r\n')).toBe(true);
    expect(text.replaceAll('\r\n', '')).not.toMatch(/\n/);
    const rows = await readCsv(out);
    expect(rows.map((r) => r.Id)).toEqual([usageId(2), usageId(5), usageId(1), usageId(3), usageId(4)]);
    expect(rows[2]).toMatchObject({ Quantity: '0.000000500', Region__c: 'EMEA', Description: "'=SUM(A1:A9)", 'Current Status': 'Pending', StartDateTime: '2026-02-01T00:00:00.000-08:00' });
    expect(rows[0]?.['Current Status']).toBe('Processed');
    expect(queries(s).map((r) => r.trackId)).toEqual(['ex-x1']);
    expect(run.stderr).toMatch(/records\s+5/);
  });

  it('filters by accounts (one query each), a StartDateTime range, status and UOM', async () => {
    const s = await start({ records: smallTenant() });
    const dir = await tempDir();
    const out = join(dir, 'usage.csv');
    const run = await runCli(['export', '-o', out, '--account', 'A1,A2', '--from', '2026-01-20', '--to', '2026-02-01T00:00:01', '--status', 'pending', '--uom', 'GB', '--track-prefix', 'ex'], {
      env: demoEnv(s),
    });
    expect(run.code, run.stderr).toBe(0);
    expect((await readCsv(out)).map((r) => r.Id)).toEqual([usageId(5), usageId(1)]);
    const sent = queries(s).map((r) => (JSON.parse(r.body) as { queryString: string }).queryString);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(/where AccountNumber = 'A1' and StartDateTime >= '2026-01-20T00:00:00' and StartDateTime < '2026-02-01T00:00:01' and RbeStatus = 'Pending' and UOM = 'GB'$/);
    expect(sent[1]).toMatch(/where AccountNumber = 'A2' and /);
    expect(queries(s).map((r) => r.trackId)).toEqual(['ex-x1', 'ex-x2']);
  });

  it('pages past 2,000 records with queryMore (x1, x2, x3) and sorts the 4,500 records it gets in no order', async () => {
    const records = Array.from({ length: 4500 }, (_, i) =>
      pendingRecord(usageId(100 + i), { StartDateTime: `2026-01-${String((i * 7) % 28 + 1).padStart(2, '0')}T00:00:00.000-08:00`, Quantity: i }),
    );
    const s = await start({ records });
    const dir = await tempDir();
    const out = join(dir, 'usage.csv');
    const run = await runCli(['export', '-o', out, '--track-prefix', 'ex'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    expect(queries(s).map((r) => `${r.path} ${r.trackId}`)).toEqual(['/v1/action/query ex-x1', '/v1/action/queryMore ex-x2', '/v1/action/queryMore ex-x3']);
    const rows = await readCsv(out);
    expect(rows).toHaveLength(4500);
    const keys = rows.map((r) => `${r.StartDateTime} ${r.Id}`);
    expect(keys).toEqual([...keys].sort());
    expect(new Set(rows.map((r) => r.Id)).size).toBe(4500);
    expect(run.stderr).toMatch(/pages\s+3/);
  });

  it('stops with exit 3 when a page fails after its retries, leaving no file under -o and no temporary file', async () => {
    const records = Array.from({ length: 2500 }, (_, i) => pendingRecord(usageId(100 + i)));
    const s = await start({ records });
    s.script(ACTION_QUERY_MORE_FAULT_KEY, Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 500 })));
    const dir = await tempDir();
    const out = join(dir, 'usage.csv');
    const run = await runCli(['export', '-o', out, '--max-attempts', '3', '--track-prefix', 'ex'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(3);
    expect(existsSync(out)).toBe(false);
    expect(await readdir(dir)).toEqual([]);
    expect(run.stderr).toMatch(/a query page failed after its retries/);
    // The failed page was tried 3 times under one track id.
    expect(queries(s).filter((r) => r.path === '/v1/action/queryMore').map((r) => r.trackId)).toEqual(['ex-x2', 'ex-x2', 'ex-x2']);
  });

  it('retries a failing page and finishes when it recovers', async () => {
    const s = await start({ records: smallTenant() });
    s.script(ACTION_QUERY_FAULT_KEY, [{ kind: 'status', status: 503 }]);
    const dir = await tempDir();
    const run = await runCli(['export', '-o', join(dir, 'u.csv'), '--track-prefix', 'ex'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    expect(await readCsv(join(dir, 'u.csv'))).toHaveLength(5);
  });

  it('takes its target, limits and log level from the environment and the config file like a run, and leaves a run\'s own settings there to runs', async () => {
    const records = Array.from({ length: 2500 }, (_, i) => pendingRecord(usageId(100 + i)));
    const s = await start({ records });
    s.script(ACTION_QUERY_MORE_FAULT_KEY, Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 500 })));
    const dir = await tempDir();
    // A config file shared with the nightly run: the target comes from it; "out", "resume" and "overwrite" are the run's.
    await writeFile(join(dir, '.zuora-usage-update.json'), JSON.stringify({ baseUrl: s.url, maxAttempts: 5, out: 'run.results.csv', resume: true, overwrite: true }));
    const { ZUORA_BASE_URL: _target, ...credentials } = demoEnv(s);
    const env = { ...credentials, ZUORA_USAGE_MAX_ATTEMPTS: '2', ZUORA_USAGE_LOG_LEVEL: 'silent', ZUORA_USAGE_DELIMITER: ';' };
    const run = await runCli(['export', '-o', 'usage.csv', '--track-prefix', 'ex'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(3);
    // The environment's 2 attempts beat the file's 5; silent: no log line, only the summary.
    expect(queries(s).filter((r) => r.path === '/v1/action/queryMore').map((r) => r.trackId)).toEqual(['ex-x2', 'ex-x2']);
    expect(run.stderr).not.toMatch(/"level"|INFO|WARN/);
    expect(await readdir(dir)).toEqual(['.zuora-usage-update.json']);

    const misspelled = await runCli(['export', '-o', 'usage.csv'], { cwd: dir, env: { ...credentials, ZUORA_USAGE_MAX_ATEMPTS: '2' } });
    expect(misspelled.code).toBe(1);
    expect(misspelled.stderr).toMatch(/ZUORA_USAGE_MAX_ATEMPTS is not a setting of zuora-usage-update \(did you mean ZUORA_USAGE_MAX_ATTEMPTS\?\)/);
  });

  const badWhere: Array<[string, string[], RegExp]> = [
    ['or', ['--where', "UOM = 'GB' or UOM = 'MB'"], /"or" is not allowed/],
    ['IN', ['--where', "UOM in ('GB')"], /ZOQL has no IN/],
    ['201 conditions', ['--where', Array.from({ length: 201 }, (_, i) => `Quantity != ${i}`).join(' and ')], /Zuora takes at most 200/],
    ['--where given twice', ['--where', "UOM = 'GB'", '--where', "UOM = 'MB'"], /--where was given 2 times/],
  ];

  it.each(badWhere)('refuses %s with exit 1 before any request', async (_name, flags, message) => {
    const s = await start({ records: smallTenant() });
    const dir = await tempDir();
    const run = await runCli(['export', '-o', join(dir, 'u.csv'), ...flags], { env: demoEnv(s) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(s.requests).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses an existing -o unless --overwrite, before any request', async () => {
    const s = await start({ records: smallTenant() });
    const dir = await tempDir();
    const out = join(dir, 'u.csv');
    await writeFile(out, 'mine\n');
    const refused = await runCli(['export', '-o', out], { env: demoEnv(s) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already exists; it was left unchanged.*--overwrite/);
    expect(await readFile(out, 'utf8')).toBe('mine\n');
    expect(s.requests.filter((r) => r.path !== '/oauth/token')).toEqual([]);
    const replaced = await runCli(['export', '-o', out, '--overwrite'], { env: demoEnv(s) });
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(await readCsv(out)).toHaveLength(5);
  });

  it('writes quantities with a decimal comma and ; with --decimal-comma, and refuses it with a , delimiter', async () => {
    const s = await start({ records: smallTenant() });
    const dir = await tempDir();
    const out = join(dir, 'usage.csv');
    const run = await runCli(['export', '-o', out, '--decimal-comma'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    const rows = await readCsv(out, ';');
    expect(rows.map((r) => r.Quantity)).toEqual(['2', '5', '0,000000500', '3', '4']);
    const refused = await runCli(['export', '-o', join(dir, 'other.csv'), '--decimal-comma', '--delimiter', ','], { env: demoEnv(s) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--decimal-comma with --delimiter ",": a decimal comma needs another delimiter/);
  });

  it('writes ; with BOM as a spreadsheet in a ; locale saves it, and the file reads back as input: an unedited preview is all unchanged or blocked', async () => {
    const s = await start({ records: smallTenant() });
    const dir = await tempDir();
    const out = join(dir, 'usage.csv');
    const exported = await runCli(['export', '-o', out, '--delimiter', ';', '--fields', 'Region__c'], { env: demoEnv(s) });
    expect(exported.code, exported.stderr).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text.startsWith('\uFEFFId;Quantity;StartDateTime;EndDateTime;UOM;Region__c;AccountNumber;')).toBe(true);
    const preview = await runCli([out, '--preview'], { env: demoEnv(s) });
    expect(preview.code, preview.stderr).toBe(2);
    const rows = await readCsv(join(dir, 'usage.preview.csv'), ';');
    expect(rows.map((r) => r.result)).toEqual(['blocked', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(preview.stderr).toMatch(/not sending \(read-only or other objects\) AccountNumber, SubscriptionNumber, ChargeNumber, Description, Current Status/);
  });
});
