import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { countRowsPerId, estimatedRows } from '../../../src/preview/count-rows-per-id.js';
import { tempDir } from '../../helpers/temp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir('zuu-count-ids-');
});

describe('countRowsPerId', () => {
  it('counts the rows of each Id as the mapping reads the cell (trimmed), leaving out malformed records and empty Ids', async () => {
    const path = join(dir, 'in.csv');
    const a = 'a'.repeat(32);
    const b = 'b'.repeat(32);
    await writeFile(path, `Quantity;Id\n1;${a}\n2; ${a} \n3;${b}\n4;${a};extra\n5;\n`);
    const counts = await countRowsPerId(path, {}, 1);
    expect(counts?.get(a)).toBe(2);
    expect(counts?.get(b)).toBe(1);
    expect(counts?.size).toBe(2);
  });

  it('gives no count when the run stops first (a partial count would forget Ids too early)', async () => {
    const path = join(dir, 'in.csv');
    await writeFile(path, `Id,Quantity\n${'a'.repeat(32)},1\n`);
    const stopped = AbortSignal.abort();
    expect(await countRowsPerId(path, {}, 0, stopped)).toBeUndefined();
  });

  it('sizes its table from the file: the rows of a file larger than its 64 KB sample are estimated within a few percent', async () => {
    const path = join(dir, 'in.csv');
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i.toString(16).padStart(32, '0')},${i % 97}.5\n`);
    await writeFile(path, `Id,Quantity\n${rows.join('')}`);
    const estimate = estimatedRows(path);
    expect(estimate).toBeGreaterThan(20_001 * 0.95);
    expect(estimate).toBeLessThan(20_001 * 1.05);
    const counts = await countRowsPerId(path, {}, 0);
    expect(counts?.size).toBe(20_000);
    expect(counts?.get((19_999).toString(16).padStart(32, '0'))).toBe(1);
    expect(estimatedRows(join(dir, 'missing.csv'))).toBe(0);
  });
});
