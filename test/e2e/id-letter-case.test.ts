import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { demoEnv, inputFile, readCsv, runCli } from '../helpers/cli.js';
import { usageId } from '../helpers/sender.js';
import { pendingRecord, simulatorPerTest } from '../helpers/with-simulator.js';
import { updateRequests } from '../helpers/received-requests.js';

/**
 * Zuora ids compare without letter case (SPEC "Row validation"): a row written `8AD0…` is the record
 * `8ad0…`, for same-Id order, reads, backup, verify, preview and resume alike; it is sent as written.
 */
const start = simulatorPerTest();

const X = usageId(0xabc);
const UPPER = X.toUpperCase();
const Y = usageId(0xdef);

describe('Ids in another letter case', () => {
  it.each([['put'], ['actions']])('--transport %s: rows of one Id in two letter cases are never in flight together, file order kept, sent as written', async (transport) => {
    // Latency keeps each request in flight long enough that two sent at once would overlap.
    const s = await start({ records: [pendingRecord(X, { Quantity: 1 }), pendingRecord(Y, { Quantity: 1 })], latencyMs: 60 });
    const { dir, input } = await inputFile('case.csv', ['Id,Quantity', `${X},5`, `${UPPER},7`, `${Y},2`]);
    const run = await runCli([input, '--transport', transport, '-c', '4'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    expect(s.stats.maxInFlightPerId).toBe(1);
    // Nor carried by one Actions call together.
    for (const call of updateRequests(s)) {
      const ids = (call.ids ?? []).map((id) => id.toLowerCase());
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(s.tenant.get(X)?.Quantity).toBe('7');
    // Sent as written: the second row's Id keeps its capitals.
    const sentIds = updateRequests(s).flatMap((r) => r.ids ?? [r.usageId]);
    expect(sentIds).toContain(UPPER);
    expect(sentIds.indexOf(X)).toBeLessThan(sentIds.indexOf(UPPER));
    const results = await readCsv(join(dir, 'case.results.csv'));
    expect(results.map((r) => [r.Id, r.result])).toEqual([[X, 'updated'], [UPPER, 'updated'], [Y, 'updated']]);
  });

  it('--preview reads a record written in capitals, and judges the later row of the Id in the other case against what the earlier leaves', async () => {
    const s = await start({ records: [pendingRecord(X, { Quantity: 4 })] });
    const { dir, input } = await inputFile('case.csv', ['Id,Quantity', `${UPPER},5`, `${X},5`]);
    const run = await runCli([input, '--preview'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    const rows = await readCsv(join(dir, 'case.preview.csv'));
    expect(rows.map((r) => [r.Id, r.result, r.before_Quantity])).toEqual([
      [UPPER, 'would-update', '4'],
      [X, 'unchanged', '4'],
    ]);
    expect(s.requests.filter((r) => r.path.startsWith('/v1/action/query'))).toHaveLength(1);
  });

  it('--backup keeps one row per Id whatever the case, sends every row, and the backup restores', async () => {
    const s = await start({ records: [pendingRecord(X, { Quantity: 4 })] });
    const { dir, input } = await inputFile('case.csv', ['Id,Quantity', `${UPPER},5`, `${X},7`]);
    const backup = join(dir, 'case.backup.csv');
    const run = await runCli([input, '--backup', backup], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    const results = await readCsv(join(dir, 'case.results.csv'));
    expect(results.map((r) => [r.result, r.error_code])).toEqual([['updated', ''], ['updated', '']]);
    expect(s.tenant.get(X)?.Quantity).toBe('7');
    const saved = parse(await readFile(backup, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(saved).toEqual([{ Id: X, Quantity: '4' }]);

    // A resumed backup that already holds the Id in one case does not back it up again in the other.
    await writeFile(input, ['Id,Quantity', `${UPPER},9`, ''].join('\n'));
    const again = await runCli([input, '--backup', backup, '--resume'], { env: demoEnv(s) });
    expect(again.code, again.stderr).toBe(0);
    const savedAgain = parse(await readFile(backup, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(savedAgain).toEqual([{ Id: X, Quantity: '4' }]);
  });

  it.each([['put'], ['actions']])('--transport %s --verify: a row written in capitals is verified, not a mismatch', async (transport) => {
    const s = await start({ records: [pendingRecord(X, { Quantity: 4 }), pendingRecord(Y, { Quantity: 1 })] });
    const { dir, input } = await inputFile('case.csv', ['Id,Quantity', `${UPPER},5`, `${Y.toUpperCase()},3`]);
    const run = await runCli([input, '--verify', '--transport', transport, '--summary-json', join(dir, 's.json')], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    const results = await readCsv(join(dir, 'case.results.csv'));
    expect(results.map((r) => [r.result, r.error_code])).toEqual([['updated', ''], ['updated', '']]);
    expect(JSON.parse(await readFile(join(dir, 's.json'), 'utf8'))).toMatchObject({ verify: { verified: 2, mismatches: 0 } });
  });

  it('--resume: an edited row of an Id makes its later rows in the other case be sent again, so the last row still wins', async () => {
    const s = await start({ records: [pendingRecord(X, { Quantity: 1 })] });
    const { dir, input } = await inputFile('case.csv', ['Id,Quantity', `${X},5`, `${UPPER},7`]);
    const first = await runCli([input], { env: demoEnv(s) });
    expect(first.code, first.stderr).toBe(0);
    // The first row is edited and the run resumed: that row is sent again, so its later row must be too.
    await writeFile(input, ['Id,Quantity', `${X},6`, `${UPPER},7`, ''].join('\n'));
    const resumed = await runCli([input, '--resume'], { env: demoEnv(s) });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(s.tenant.get(X)?.Quantity).toBe('7');
    const results = await readCsv(join(dir, 'case.results.csv'));
    expect(results.map((r) => [r.Quantity, r.result])).toEqual([['6', 'updated'], ['7', 'updated']]);
  });
});
