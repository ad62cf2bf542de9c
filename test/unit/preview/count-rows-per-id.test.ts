import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { countRowsPerId } from '../../../src/preview/count-rows-per-id.js';
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
});
