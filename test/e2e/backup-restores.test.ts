import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { demoEnv, inputFile, readCsv, runCli } from '../helpers/cli.js';
import { usageId } from '../helpers/sender.js';
import { pendingRecord, simulatorPerTest } from '../helpers/with-simulator.js';

/** Every backup row restores (SPEC "Look before you leap", `--backup`). */
const start = simulatorPerTest();

const X = usageId(0x51);
const Y = usageId(0x52);
const Z = usageId(0x53);

const backupRows = async (path: string) => parse(await readFile(path, 'utf8'), { columns: true }) as Array<Record<string, string>>;

describe('--backup', () => {
  it('writes a quantity Zuora answers in exponent form as a plain decimal, and its restore row is valid and puts it back', async () => {
    // The simulator answers a quantity seeded in exponent form in that form, as Zuora may.
    const s = await start({ records: [pendingRecord(X, { Quantity: '5.00E-7' }), pendingRecord(Y, { Quantity: '1.5E3' })] });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', `${X},2`, `${Y},3`]);
    const backup = join(dir, 'fix.backup.csv');
    const run = await runCli([input, '--backup', backup], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    expect(await backupRows(backup)).toEqual([
      { Id: X, Quantity: '0.000000500' },
      { Id: Y, Quantity: '1500' },
    ]);

    const restore = await runCli([backup], { env: demoEnv(s) });
    expect(restore.code, restore.stderr).toBe(0);
    const restored = await readCsv(join(dir, 'fix.backup.results.csv'));
    expect(restored.map((r) => [r.result, r.error_message])).toEqual([['updated', ''], ['updated', '']]);
    expect([s.tenant.get(X)?.Quantity, s.tenant.get(Y)?.Quantity]).toEqual(['0.000000500', '1500']);
  });

  it('--resume keeps a backup whose last, complete record was saved without its final newline', async () => {
    const s = await start({ records: [pendingRecord(X, { Quantity: 4 }), pendingRecord(Y, { Quantity: 5 }), pendingRecord(Z, { Quantity: 6 })] });
    const { dir, input } = await inputFile('fix.csv', ['Id,Quantity', `${X},40`, `${Y},50`]);
    const backup = join(dir, 'fix.backup.csv');
    const first = await runCli([input, '--backup', backup], { env: demoEnv(s) });
    expect(first.code, first.stderr).toBe(0);
    // Opened and saved in an editor that drops the final newline.
    const saved = await readFile(backup, 'utf8');
    expect(saved.endsWith(`${Y},5\n`)).toBe(true);
    await writeFile(backup, saved.trimEnd());

    // The run goes on with one more row for Y (changed by the first run) and a new Id.
    await writeFile(input, ['Id,Quantity', `${X},40`, `${Y},50`, `${Y},51`, `${Z},60`, ''].join('\n'));
    const resumed = await runCli([input, '--backup', backup, '--resume'], { env: demoEnv(s) });
    expect(resumed.code, resumed.stderr).toBe(0);
    // Y's value from before the first run stays: it is not read again (50) and saved as the original.
    expect(await backupRows(backup)).toEqual([
      { Id: X, Quantity: '4' },
      { Id: Y, Quantity: '5' },
      { Id: Z, Quantity: '6' },
    ]);
  });
});
