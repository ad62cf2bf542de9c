import { writeFile } from 'node:fs/promises';
import { usageId } from './sender.js';

/** A seeded PRNG (mulberry32), so a failing randomized test can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes a corrections file of `rows` rows with distinct generated ids (the simulator takes them with
 * `acceptAnyId`). `idOf` may map rows onto shared ids.
 */
export async function writeCorrections(path: string, rows: number, idOf: (row: number) => string = usageId): Promise<string[]> {
  const lines = ['Id,Quantity,StartDateTime'];
  for (let i = 0; i < rows; i++) lines.push(`${idOf(i)},${i}.25,2026-03-${String((i % 28) + 1).padStart(2, '0')}`);
  await writeFile(path, `${lines.join('\n')}\n`);
  return lines.slice(1);
}
