import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createExternalSorter } from '../../../src/export/external-sort.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** A seeded generator (mulberry32), so a failure replays. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function sortAll(keys: string[], runSize: number, parent: string): Promise<{ out: string[][]; runs: number }> {
  const sorter = await createExternalSorter({ parent, runSize });
  try {
    for (const key of keys) await sorter.add(key, [key, 'line\r\nbreak, "quoted"']);
    const out: string[][] = [];
    for await (const cells of sorter.sorted()) out.push(cells);
    return { out, runs: sorter.runs };
  } finally {
    await sorter.close();
  }
}

describe('createExternalSorter', () => {
  const random = seeded(19);
  const keys = Array.from({ length: 2_345 }, () => Math.floor(random() * 1e6).toString().padStart(7, '0'));

  it('merges sorted runs written to files into one order, cells kept whole', async () => {
    const parent = await tempDir();
    const { out, runs } = await sortAll(keys, 100, parent);
    expect(runs).toBe(24);
    expect(out.map((cells) => cells[0])).toEqual([...keys].sort());
    expect(out.every((cells) => cells[1] === 'line\r\nbreak, "quoted"')).toBe(true);
    expect(await readdir(parent)).toEqual([]);
  });

  it('sorts in memory, writing no file, when the rows fit in one run', async () => {
    const parent = await tempDir();
    const { out, runs } = await sortAll(keys, 10_000, parent);
    expect(runs).toBe(0);
    expect(out.map((cells) => cells[0])).toEqual([...keys].sort());
  });
});
