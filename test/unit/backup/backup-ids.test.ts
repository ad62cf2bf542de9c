import { appendFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { BackupIds, parseFirstField } from '../../../src/backup/backup-ids.js';
import { csvLine } from '../../../src/output/csv-line.js';
import { tempDir } from '../../helpers/temp-dir.js';

let path: string;
beforeEach(async () => {
  path = join(await tempDir('zuu-backup-ids-'), 'b.csv');
  await writeFile(path, 'Id;Quantity\n');
});

/** Appends a record of `id` to the file, as the backup does, and returns where it starts. */
async function append(id: string): Promise<number> {
  const { size } = await stat(path);
  await appendFile(path, csvLine([id, '1'], ';'));
  return size;
}

describe('BackupIds', () => {
  it('when every Id shares one digest, holds exactly the Ids added: a shared digest never makes an Id look backed up', async () => {
    const ids = new BackupIds(path, ';', 0, () => 42);
    ids.add('a', await append('a'), true);
    expect(ids.has('a')).toBe(true);
    expect(ids.has('b')).toBe(false);
    ids.add('b', await append('b'), true);
    ids.add('c', await append('c'), false);
    expect([ids.has('a'), ids.has('b'), ids.has('c'), ids.has('d')]).toEqual([true, true, true, false]);
    expect([ids.readInRun('a'), ids.readInRun('b'), ids.readInRun('c')]).toEqual([true, true, false]);
    ids.add('c', 0, true);
    expect(ids.readInRun('c')).toBe(true);
    expect(ids.size).toBe(3);
    ids.close();
  });

  it('costs 12 bytes a slot, sized from the Ids expected (a 32-bit key: every Id found is confirmed against the file)', async () => {
    const ids = new BackupIds(path, ';', 3000);
    expect(ids.bytes).toBe(12 * (Math.ceil(3000 / 0.75) + 1));
    // Digests equal in their low 32 bits only: two keys alike, each Id still told apart by the file.
    const digests = new Map([['a', 7 + 2 ** 32], ['b', 7 + 2 ** 33], ['c', 8]]);
    const alike = new BackupIds(path, ';', 0, (id) => digests.get(id) ?? 9);
    alike.add('a', await append('a'), true);
    expect([alike.has('a'), alike.has('b')]).toEqual([true, false]);
    alike.add('b', await append('b'), false);
    expect([alike.has('a'), alike.has('b'), alike.has('c'), alike.readInRun('b'), alike.size]).toEqual([true, true, false, false, 2]);
    ids.close();
    alike.close();
  });

  it('compares Ids without letter case: an Id added in one case is held in any other, and counted once', async () => {
    const ids = new BackupIds(path, ';');
    ids.add('AbC123', await append('AbC123'), false);
    ids.add('abc123', 0, true);
    expect([ids.has('abc123'), ids.has('ABC123'), ids.readInRun('aBc123'), ids.size]).toEqual([true, true, true, 1]);
    ids.close();
  });

  it('reads quoted Ids, Ids holding the delimiter or a quote, multi-byte Ids, and a last record without a newline', async () => {
    const ids = new BackupIds(path, ';');
    const odd = ['a;b', 'say "hi"', 'ünïcødé-' + 'é'.repeat(300), 'plain'];
    for (const id of odd) ids.add(id, await append(id), true);
    const last = (await stat(path)).size;
    await appendFile(path, 'tail-id');
    ids.add('tail-id', last, true);
    for (const id of [...odd, 'tail-id']) expect(ids.has(id), id).toBe(true);
    expect(ids.has('a')).toBe(false);
    expect(ids.has('tail')).toBe(false);
    ids.close();
  });

  it('holds many Ids through the growth of its table, each found and none invented', async () => {
    const ids = new BackupIds(path, ';');
    const lines: string[] = [];
    let offset = 'Id;Quantity\n'.length;
    for (let i = 0; i < 5000; i++) {
      const line = csvLine([`id-${i}`, '1'], ';');
      ids.add(`id-${i}`, offset, i % 2 === 0);
      offset += Buffer.byteLength(line);
      lines.push(line);
    }
    await appendFile(path, lines.join(''));
    expect(ids.size).toBe(5000);
    for (let i = 0; i < 5000; i++) expect(ids.readInRun(`ID-${i}`)).toBe(i % 2 === 0);
    for (let i = 5000; i < 6000; i++) expect(ids.has(`id-${i}`)).toBe(false);
    ids.close();
  });
});

describe('parseFirstField', () => {
  it('takes the first field, unquoted, and says when the text ends inside it', () => {
    expect(parseFirstField('\r\nab;c\n', ';')).toBe('ab');
    expect(parseFirstField('"a""b;";c', ';')).toBe('a"b;');
    expect(parseFirstField('"a""b', ';')).toBeUndefined();
    expect(parseFirstField('ab', ';')).toBeUndefined();
    expect(parseFirstField('ab', ';', true)).toBe('ab');
    expect(parseFirstField('"ab"', ';', true)).toBe('ab');
  });
});
