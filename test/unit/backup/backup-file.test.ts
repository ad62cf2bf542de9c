import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { backupQuantity, openBackup } from '../../../src/backup/backup-file.js';
import { tempDir } from '../../helpers/temp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir('zuu-backup-');
});

const options = { fields: ['Quantity', 'Region__c'], delimiter: ';', resume: false };

describe('backup file', () => {
  it('creates nothing until the first records, then writes the header and one row per Id, in the order added', async () => {
    const path = join(dir, 'b.csv');
    const backup = await openBackup(path, options);
    expect(existsSync(path)).toBe(false);
    // Two batches appended at once land one after the other, each Id once.
    await Promise.all([
      backup.add([{ Id: 'a', Quantity: '1.50', Region__c: 'EU; West' }, { Id: 'b', Quantity: '2' }]),
      backup.add([{ Id: 'a', Quantity: '9' }, { Id: 'c', Quantity: '3' }]),
    ]);
    await backup.close();
    expect(await readFile(path, 'utf8')).toBe('Id;Quantity;Region__c\na;1.50;"EU; West"\nb;2;\nc;3;\n');
    expect(backup.has('c')).toBe(true);
  });

  it('refuses an existing non-empty file without resume, and one with other columns even with it', async () => {
    const path = join(dir, 'b.csv');
    await writeFile(path, 'Id;Quantity\na;1\n');
    await expect(openBackup(path, options)).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/already exists/) });
    await expect(openBackup(path, { ...options, resume: true })).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/has the columns Id, Quantity/) });
    expect(await readFile(path, 'utf8')).toBe('Id;Quantity\na;1\n');
  });

  it('with resume, drops a last line cut short by a kill and appends after the Ids it holds', async () => {
    const path = join(dir, 'b.csv');
    await writeFile(path, 'Id;Quantity;Region__c\na;1;\nb;2');
    const backup = await openBackup(path, { ...options, resume: true });
    expect([backup.has('a'), backup.has('b'), backup.size]).toEqual([true, false, 1]);
    await backup.add([{ Id: 'a', Quantity: '7' }, { Id: 'b', Quantity: '8' }]);
    await backup.close();
    expect(await readFile(path, 'utf8')).toBe('Id;Quantity;Region__c\na;1;\nb;8;\n');
  });

  it('with resume, keeps a complete last record saved without its final newline, and appends on a line of its own', async () => {
    const path = join(dir, 'b.csv');
    await writeFile(path, 'Id;Quantity;Region__c\na;1;\nb;2;"EU; West"');
    const backup = await openBackup(path, { ...options, resume: true });
    expect([backup.has('a'), backup.has('b'), backup.size]).toEqual([true, true, 2]);
    await backup.add([{ Id: 'b', Quantity: '8' }, { Id: 'c', Quantity: '9' }]);
    await backup.close();
    expect(await readFile(path, 'utf8')).toBe('Id;Quantity;Region__c\na;1;\nb;2;"EU; West"\nc;9;\n');
  });

  it('with resume, knows the earlier Ids in any letter case, each read in this run only once add has been given it; reopened, it knows them all', async () => {
    const path = join(dir, 'b.csv');
    await writeFile(path, 'Id;Quantity;Region__c\r\n"A;1";1;\r\nbB;2;x\r\n');
    const backup = await openBackup(path, { ...options, resume: true });
    expect([backup.has('a;1'), backup.has('Bb'), backup.readInRun('bb'), backup.size]).toEqual([true, true, false, 2]);
    await backup.add([{ Id: 'BB', Quantity: '8' }, { Id: 'Cé', Quantity: '9' }]);
    await backup.add([{ Id: 'cÉ', Quantity: '10' }]);
    expect([backup.readInRun('bb'), backup.readInRun('A;1'), backup.readInRun('cé'), backup.has('d'), backup.size]).toEqual([true, false, true, false, 3]);
    await backup.close();
    const text = await readFile(path, 'utf8');
    expect(text).toBe('Id;Quantity;Region__c\r\n"A;1";1;\r\nbB;2;x\r\nCé;9;\n');
    const again = await openBackup(path, { ...options, resume: true });
    expect([again.has('a;1'), again.has('bb'), again.has('cé'), again.readInRun('cé'), again.size]).toEqual([true, true, true, false, 3]);
    await again.close();
  });

  it.each([
    ['a quote that never closes', 'b;2;"EU'],
    ['too few fields', 'b;2'],
  ])('with resume, drops a last record that does not parse (%s)', async (_, last) => {
    const path = join(dir, 'b.csv');
    await writeFile(path, `Id;Quantity;Region__c\na;1;\n${last}`);
    const backup = await openBackup(path, { ...options, resume: true });
    expect([backup.has('b'), backup.size]).toEqual([false, 1]);
    await backup.close();
    expect(await readFile(path, 'utf8')).toBe('Id;Quantity;Region__c\na;1;\n');
  });

  it('writes a quantity Zuora answered in exponent form as a plain decimal, digit for digit', async () => {
    const path = join(dir, 'b.csv');
    const backup = await openBackup(path, options);
    await backup.add([
      { Id: 'a', Quantity: '5.00E-7' },
      { Id: 'b', Quantity: '-1.5e3' },
      { Id: 'c', Quantity: '12.50' },
    ]);
    await backup.close();
    expect(await readFile(path, 'utf8')).toBe('Id;Quantity;Region__c\na;0.000000500;\nb;-1500;\nc;12.50;\n');
  });
});

describe('backup quantities: plain decimals, digit for digit, in the input\'s convention', () => {
  it.each([
    ['5.00E-7', false, '0.000000500'],
    ['1.5E3', false, '1500'],
    ['-2.5e-3', false, '-0.0025'],
    ['417.078', false, '417.078'],
    ['12', false, '12'],
    ['417.078', true, '417,078'],
    ['5.00E-7', true, '0,000000500'],
    ['-3.25', true, '-3,25'],
  ] as const)('%s (decimal comma: %s) is written %s', (answer, decimalComma, written) => {
    expect(backupQuantity(answer, decimalComma)).toBe(written);
  });

  it('with decimalComma the file holds decimal commas, so a restore with --decimal-comma reads it', async () => {
    const path = join(dir, 'b.csv');
    const backup = await openBackup(path, { ...options, decimalComma: true });
    await backup.add([{ Id: 'a', Quantity: '0.125', Region__c: 'EU' }]);
    await backup.close();
    expect(await readFile(path, 'utf8')).toBe('Id;Quantity;Region__c\na;0,125;EU\n');
  });
});
