import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoEnv, inputFile, readCsv, readHeader, runCli } from '../helpers/cli.js';
import { usageId } from '../helpers/sender.js';
import { pendingRecord, simulatorPerTest } from '../helpers/with-simulator.js';
import { putRequests } from '../helpers/received-requests.js';

/** The preview a reviewer reads (SPEC "Look before you leap", `--preview`). */
const start = simulatorPerTest();

const X = usageId(0x91);
const Y = usageId(0x92);
const HYPERLINK = '=HYPERLINK("http://attacker.example/x","Click")';

describe('--preview for a reviewer', () => {
  it('puts each before_ cell right after its own column and a changes column after the input columns; server text is formula-safe, quantities and dates raw', async () => {
    const s = await start({
      records: [
        pendingRecord(X, { Quantity: -5, UOM: '@SUM(1)', Region__c: HYPERLINK, StartDateTime: '2026-01-15T00:00:00.000-08:00' }),
        pendingRecord(Y, { Quantity: 2, UOM: 'Each' }),
      ],
    });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity,UOM,Note,StartDateTime,Region__c', `${X},5,GB,a note,,EMEA`, `${Y},7.5,GB,,,`]);
    const run = await runCli([input, '--preview', '--ignore-unknown-columns'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    const preview = join(dir, 'fix.preview.csv');
    expect(await readHeader(preview)).toEqual([
      'Id', 'Quantity', 'before_Quantity', 'UOM', 'before_UOM', 'Note', 'StartDateTime', 'before_StartDateTime', 'Region__c', 'before_Region__c', 'changes',
      'result', 'error_code', 'error_message', 'http_status', 'attempts', 'track_id', 'request_id', 'line',
    ]);
    const rows = await readCsv(preview);
    expect(rows[0]).toMatchObject({
      Note: 'a note',
      before_Quantity: '-5',
      before_UOM: "'@SUM(1)",
      before_StartDateTime: '2026-01-15T00:00:00.000-08:00',
      before_Region__c: `'${HYPERLINK}`,
      changes: `Quantity -5 → 5; UOM @SUM(1) → GB; Region__c ${HYPERLINK} → EMEA`,
      result: 'would-update',
    });
    expect(rows[1]).toMatchObject({ before_Quantity: '2', before_UOM: 'Each', changes: 'Quantity 2 → 7.5; UOM Each → GB', result: 'would-update' });
  });

  it('rows of a repeated Id keep Zuora\'s answer in before_, and changes says when an earlier row is the reason', async () => {
    const s = await start({ records: [pendingRecord(X, { Quantity: 5 })] });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', `${X},7`, `${X},5`, `${X},7`, `${X},7.0`]);
    const run = await runCli([input, '--preview'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    const rows = await readCsv(join(dir, 'fix.preview.csv'));
    expect(rows.map((r) => [r.Quantity, r.before_Quantity, r.result, r.changes])).toEqual([
      ['7', '5', 'would-update', 'Quantity 5 → 7'],
      ['5', '5', 'would-update', 'Quantity 7 → 5 (7 set by line 2 of this Id)'],
      ['7', '5', 'would-update', 'Quantity 5 → 7'],
      ['7.0', '5', 'unchanged', 'no change: line 4 of this Id already sets Quantity 7'],
    ]);
  });

  it('a preview file is a valid input: previewed again it has the same columns, and applied it sends only the input columns', async () => {
    const s = await start({ records: [pendingRecord(X, { Quantity: 1, Region__c: 'APAC' }), pendingRecord(Y, { Quantity: 2 })] });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity,Region__c', `${X},5,EMEA`, `${Y},7.5,`]);
    const first = await runCli([input, '--preview'], { env: demoEnv(s) });
    expect(first.code, first.stderr).toBe(0);
    const preview = join(dir, 'fix.preview.csv');
    const header = await readHeader(preview);

    const again = await runCli([preview, '--preview', '--out', join(dir, 'again.csv')], { env: demoEnv(s) });
    expect(again.code, again.stderr).toBe(0);
    expect(await readHeader(join(dir, 'again.csv'))).toEqual(header);
    expect((await readCsv(join(dir, 'again.csv'))).map((r) => [r.result, r.changes])).toEqual([
      ['would-update', 'Quantity 1 → 5; Region__c APAC → EMEA'],
      ['would-update', 'Quantity 2 → 7.5'],
    ]);

    const applied = await runCli([preview], { env: demoEnv(s) });
    expect(applied.code, applied.stderr).toBe(0);
    expect(putRequests(s).map((r) => JSON.parse(r.body) as unknown)).toEqual([{ Quantity: 5, Region__c: 'EMEA' }, { Quantity: 7.5 }]);
    expect([s.tenant.get(X)?.Quantity, s.tenant.get(X)?.Region__c, s.tenant.get(Y)?.Quantity]).toEqual(['5', 'EMEA', '7.5']);
  });
});
