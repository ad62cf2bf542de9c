import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { demoEnv, inputFile, readCsv, ROOT, runCli, type CliRun } from '../helpers/cli.js';
import { usageId } from '../helpers/sender.js';
import { tempDir } from '../helpers/temp-dir.js';
import { pendingRecord, simulatorPerTest } from '../helpers/with-simulator.js';
import { updateRequests } from '../helpers/received-requests.js';

/**
 * The files of fixtures/european/ were written by LibreOffice Calc in a German locale (the exact
 * commands are in fixtures/README.md): a real spreadsheet's output, not an imitation. CI only reads them.
 */
const start = simulatorPerTest();
const EUROPEAN = join(ROOT, 'fixtures', 'european');

async function copied(name: string): Promise<{ dir: string; input: string }> {
  const dir = await tempDir('zuu-european-');
  const input = join(dir, name);
  await copyFile(join(EUROPEAN, name), input);
  return { dir, input };
}

async function rowsOf(path: string, delimiter: string): Promise<Array<Record<string, string>>> {
  return parse(await readFile(path, 'utf8'), { columns: true, bom: true, delimiter }) as Array<Record<string, string>>;
}

/** The export as the tool wrote it, and as LibreOffice saved it again: the Ids whose quantity came back 1000 times larger. */
async function thousandFold(): Promise<{ original: Map<string, string>; saved: Map<string, string>; multiplied: Set<string> }> {
  const original = new Map((await rowsOf(join(EUROPEAN, 'pending-export.csv'), ',')).map((r) => [r.Id ?? '', r.Quantity ?? '']));
  const saved = new Map((await rowsOf(join(EUROPEAN, 'pending-export.de.csv'), ';')).map((r) => [r.Id ?? '', r.Quantity ?? '']));
  const multiplied = new Set([...original].filter(([id, quantity]) => saved.get(id) !== quantity).map(([id]) => id));
  return { original, saved, multiplied };
}

async function summaryJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

function expectExit(run: CliRun, code: number): void {
  expect(run.code, run.stderr.slice(-3000)).toBe(code);
}

describe('a German spreadsheet turned three-decimal quantities into numbers 1000 times larger', () => {
  it('the committed LibreOffice file differs from the export in exactly the 51 three-decimal quantities, each 1000 times larger', async () => {
    const { original, saved, multiplied } = await thousandFold();
    expect(saved.size).toBe(original.size);
    expect(multiplied.size).toBe(51);
    for (const id of multiplied) {
      const before = original.get(id) ?? '';
      expect(before).toMatch(/^\d+\.\d{3}$/);
      expect(saved.get(id)).toBe(String(BigInt(before.replace('.', ''))));
    }
  });

  it('--preview refuses exactly the 1000-fold rows (QUANTITY_TIMES_1000, attempts 0) and judges every other row as it judges the unedited export', async () => {
    const { multiplied } = await thousandFold();
    const s = await start();
    const plain = await copied('pending-export.csv');
    const before = await runCli([plain.input, '--preview'], { env: demoEnv(s) });
    expectExit(before, 0);
    const expected = await readCsv(join(plain.dir, 'pending-export.preview.csv'));
    expect(new Set(expected.map((r) => r.result))).toEqual(new Set(['unchanged']));

    const german = await copied('pending-export.de.csv');
    const summaryPath = join(german.dir, 'summary.json');
    const run = await runCli([german.input, '--preview', '--summary-json', summaryPath], { env: demoEnv(s) });
    expectExit(run, 2);
    const rows = await readCsv(join(german.dir, 'pending-export.de.preview.csv'), ';');
    expect(rows).toHaveLength(expected.length);
    rows.forEach((row, i) => {
      const id = row.Id ?? '';
      if (multiplied.has(id)) {
        expect(row).toMatchObject({ result: 'invalid', error_code: 'QUANTITY_TIMES_1000', attempts: '0' });
        expect(row.error_message).toContain(`Quantity ${row.Quantity} is exactly 1000 × Zuora's ${row.before_Quantity}`);
      } else {
        expect([row.result, row.error_code, row.before_Quantity]).toEqual([expected[i]?.result, expected[i]?.error_code, expected[i]?.before_Quantity]);
      }
    });
    expect(rows.filter((r) => r.error_code === 'QUANTITY_TIMES_1000')).toHaveLength(51);
    expect(updateRequests(s)).toEqual([]);

    const summary = await summaryJson(summaryPath);
    expect(summary).toMatchObject({ quantityTimes1000: 51, counts: { invalid: 51, unchanged: expected.length - 51 } });
    expect(summary.nextStep).toMatch(/^51 row\(s\) have a Quantity exactly 1000 × Zuora's \(QUANTITY_TIMES_1000, not sent\).*--decimal-comma/);
    expect(run.stderr).toContain("x1000:     51 rows refused, not sent: Quantity exactly 1000 × Zuora's");
  });

  it('a --backup run sends none of them (the simulator keeps their values) and sends every other row as it sends the unedited export', async () => {
    const { original, multiplied } = await thousandFold();
    const reference = await start();
    const plain = await copied('pending-export.csv');
    const sentPlain = await runCli([plain.input, '--backup', join(plain.dir, 'backup.csv')], { env: demoEnv(reference) });
    const expected = await readCsv(join(plain.dir, 'pending-export.results.csv'));
    expect(sentPlain.code).not.toBeNull();

    const s = await start();
    const german = await copied('pending-export.de.csv');
    const summaryPath = join(german.dir, 'summary.json');
    const backup = join(german.dir, 'backup.csv');
    const run = await runCli([german.input, '--backup', backup, '--summary-json', summaryPath], { env: demoEnv(s) });
    expectExit(run, 2);
    const rows = await readCsv(join(german.dir, 'pending-export.de.results.csv'), ';');
    expect(rows).toHaveLength(expected.length);
    rows.forEach((row, i) => {
      const id = row.Id ?? '';
      if (multiplied.has(id)) {
        expect(row).toMatchObject({ result: 'invalid', error_code: 'QUANTITY_TIMES_1000', attempts: '0', track_id: '' });
        // Never sent: Zuora still holds the export's value.
        expect(String(s.tenant.get(id)?.Quantity)).toBe(original.get(id));
      } else {
        expect([row.result, row.error_code]).toEqual([expected[i]?.result, expected[i]?.error_code]);
      }
    });
    const sentIds = new Set(updateRequests(s).map((r) => r.path.split('/').pop()?.split('?')[0]));
    for (const id of multiplied) expect(sentIds.has(id)).toBe(false);
    expect(sentIds.size).toBe(expected.length - 51);

    // The failures file keeps the input's convention (;), with the cells as LibreOffice wrote them.
    const failures = await readCsv(join(german.dir, 'pending-export.de.failures.csv'), ';');
    expect(failures.filter((r) => r.error_code === 'QUANTITY_TIMES_1000').map((r) => r.Id).sort()).toEqual([...multiplied].sort());
    const summary = await summaryJson(summaryPath);
    expect(summary).toMatchObject({ quantityTimes1000: 51 });
    expect(summary.nextStep).toContain('QUANTITY_TIMES_1000');
    expect(summary.nextStep).toContain(`restore the backup: zuora-usage-update ${backup}`);
  });

  it('--allow-times-1000 lets them through (a deliberate unit change)', async () => {
    const s = await start();
    const german = await copied('pending-export.de.csv');
    const run = await runCli([german.input, '--preview', '--allow-times-1000'], { env: demoEnv(s) });
    expectExit(run, 0);
    const rows = await readCsv(join(german.dir, 'pending-export.de.preview.csv'), ';');
    expect(rows.filter((r) => r.result === 'would-update')).toHaveLength(51);
  });

  it('a run that reads nothing cannot see it: the summary warns once and the next step suggests --preview first', async () => {
    const german = await copied('pending-export.de.csv');
    const summaryPath = join(german.dir, 'summary.json');
    const run = await runCli([german.input, '--dry-run', '--env', 'local', '--summary-json', summaryPath]);
    expectExit(run, 0);
    const summary = await summaryJson(summaryPath);
    expect(summary.warnings).toEqual([expect.stringContaining('signs of a spreadsheet in a decimal-comma locale (a ; delimiter)')]);
    expect(summary.quantityTimes1000).toBeNull();
    expect(summary.nextStep).toContain(`Preview it first, which compares each quantity with Zuora's: zuora-usage-update ${german.input} --preview`);
    expect(run.stderr.match(/decimal-comma locale/g)).toHaveLength(1);
  });
});

describe('a file typed with decimal commas and DD.MM.YYYY dates, saved by LibreOffice in a German locale', () => {
  const TYPED = 'typed-corrections.de.csv';

  it('with --decimal-comma --date-format DD.MM.YYYY every row is sent with the exact digits, times without seconds are counted once', async () => {
    const s = await start();
    const { dir, input } = await copied(TYPED);
    const summaryPath = join(dir, 'summary.json');
    const run = await runCli([input, '--decimal-comma', '--date-format', 'DD.MM.YYYY', '--summary-json', summaryPath], { env: demoEnv(s) });
    expectExit(run, 0);
    const bodies = updateRequests(s).map((r) => JSON.parse(r.body) as Record<string, unknown>);
    const quantities = updateRequests(s).map((r) => /"Quantity":(-?[\d.]+)/.exec(r.body)?.[1]);
    expect(quantities.sort()).toEqual(['-3.25', '0.000001', '0.125', '1234.5', '196222', '42.5', '4411.5', '643.75'].sort());
    expect(bodies.find((b) => b.Quantity === 42.5)).toMatchObject({ StartDateTime: '2026-02-26T13:39:00', EndDateTime: '2026-02-26T23:59:00', UOM: 'Seats' });
    const summary = await summaryJson(summaryPath);
    expect(summary.warnings).toContainEqual('4 date-time cell(s) had a time without seconds (such as 23:59), read as 23:59:00');
    expect(run.stderr.match(/had a time without seconds/g)?.length).toBeGreaterThanOrEqual(1);
  });

  it('with --backup, the backup keeps the decimal comma and the printed restore command brings the values back', async () => {
    const s = await start();
    const before = new Map([...s.tenant].map(([id, record]) => [id, String(record.Quantity)]));
    const { dir, input } = await copied(TYPED);
    const summaryPath = join(dir, 'summary.json');
    const backup = join(dir, 'typed.backup.csv');
    const run = await runCli([input, '--decimal-comma', '--date-format', 'DD.MM.YYYY', '--backup', backup, '--summary-json', summaryPath], { env: demoEnv(s) });
    expectExit(run, 0);
    const saved = await readFile(backup, 'utf8');
    expect(saved.split('\n')[0]).toBe('Id;Quantity;StartDateTime;EndDateTime;UOM');
    expect(saved).toContain('8ad060da301a287dd8dd7dc10a7a6632;4411,27;');
    const changed = await rowsOf(input, ';');
    expect(String(s.tenant.get(changed[0]?.Id ?? '')?.Quantity)).toBe('4411.5');

    const nextStep = String((await summaryJson(summaryPath)).nextStep);
    const restore = /restore the backup: (zuora-usage-update .*)$/.exec(nextStep)?.[1] ?? '';
    expect(restore).toBe(`zuora-usage-update ${backup} --summary-json ${summaryPath} --date-format DD.MM.YYYY --decimal-comma`);
    const restored = await runCli(restore.split(' ').slice(1), { env: demoEnv(s) });
    expectExit(restored, 0);
    for (const row of changed) expect(String(s.tenant.get(row.Id ?? '')?.Quantity)).toBe(before.get(row.Id ?? ''));
  });

  it('without the options, each cell says which option reads it', async () => {
    const { dir, input } = await copied(TYPED);
    const run = await runCli([input, '--dry-run', '--env', 'local']);
    expectExit(run, 2);
    const rows = await readCsv(join(dir, 'typed-corrections.de.dry-run.csv'), ';');
    const forLine = (line: string) => rows.find((r) => r.line === line)?.error_message ?? '';
    expect(forLine('3')).toContain('Quantity "42,5" uses a comma as decimal separator');
    expect(forLine('3')).toContain('pass --decimal-comma');
    expect(forLine('4')).toContain('write 0.125, or pass --decimal-comma');
    expect(forLine('4')).not.toContain('0125');
    expect(forLine('3')).toContain('StartDateTime "26.02.2026 13:39" is not an ISO date: write it as YYYY-MM-DD (e.g. 2024-06-01), or pass --date-format DD.MM.YYYY');
  });

  it('--decimal-comma on a comma-separated file is a bad option (exit 1), and nothing is written', async () => {
    const { dir, input } = await copied('pending-export.csv');
    const run = await runCli([input, '--decimal-comma', '--dry-run', '--env', 'local']);
    expectExit(run, 1);
    expect(run.stderr).toContain('--decimal-comma needs a ; tab or | delimiter');
    await expect(readFile(join(dir, 'pending-export.dry-run.csv'), 'utf8')).rejects.toThrow();
  });
});

describe('QUANTITY_TIMES_1000 through --backup, row by row', () => {
  const A = usageId(0x1a);
  const B = usageId(0x1b);
  const C = usageId(0x1c);

  it('same-Id rows are judged against what the earlier rows leave; a UOM change goes; a refused row is never sent', async () => {
    const s = await start({ records: [pendingRecord(A, { Quantity: '0.125' }), pendingRecord(B, { Quantity: '312.091' }), pendingRecord(C, { Quantity: 0 })] });
    const { dir, input } = await inputFile('rows.csv', [
      'Id,Quantity,UOM',
      `${A},2.5,`, // 20 ×: sent
      `${A},2500,`, // 1000 × what the row above leaves: refused
      `${A},125,`, // 1000 × the original, but the record now holds 2.5: sent
      `${B},312091,MB`, // a unit change: allowed
      `${C},5000,`, // Zuora holds 0: never 1000 ×
    ]);
    const run = await runCli([input, '--backup', join(dir, 'rows.backup.csv')], { env: demoEnv(s) });
    expectExit(run, 2);
    const rows = await readCsv(join(dir, 'rows.results.csv'));
    expect(rows.map((r) => [r.result, r.error_code, r.attempts])).toEqual([
      ['updated', '', '1'],
      ['invalid', 'QUANTITY_TIMES_1000', '0'],
      ['updated', '', '1'],
      ['updated', '', '1'],
      ['updated', '', '1'],
    ]);
    expect(rows[1]?.error_message).toContain("Quantity 2500 is exactly 1000 × Zuora's 2.5");
    expect(updateRequests(s).filter((r) => r.body.includes('2500'))).toEqual([]);
    expect(String(s.tenant.get(A)?.Quantity)).toBe('125');
  });
});

describe('QUANTITY_TIMES_1000 when --resume continues a backup', () => {
  it('an Id the earlier run already backed up is read again and judged, never sent 1000 times larger', async () => {
    const A = usageId(0x2a);
    const s = await start({ records: [pendingRecord(A, { Quantity: '0.125' })] });
    const { dir, input } = await inputFile('again.csv', ['Id,Quantity', `${A},125`]);
    const backup = join(dir, 'again.backup.csv');
    await writeFile(backup, `Id,Quantity\n${A},0.125\n`);
    const run = await runCli([input, '--resume', '--backup', backup], { env: demoEnv(s) });
    expectExit(run, 2);
    const rows = await readCsv(join(dir, 'again.results.csv'));
    expect(rows.map((r) => [r.result, r.error_code, r.attempts])).toEqual([['invalid', 'QUANTITY_TIMES_1000', '0']]);
    expect(updateRequests(s)).toEqual([]);
    expect(String(s.tenant.get(A)?.Quantity)).toBe('0.125');
    // Read for the judgement, not backed up twice.
    expect(await readFile(backup, 'utf8')).toBe(`Id,Quantity\n${A},0.125\n`);
  });
});
