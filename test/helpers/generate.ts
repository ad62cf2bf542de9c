import { writeFile } from 'node:fs/promises';
import { mulberry32 } from '../../src/simulator/chaos.js';
import { usageId } from './sender.js';

/** A seeded PRNG, so a failing randomized test can be replayed from its seed (the simulator's own). */
export const seededRandom = mulberry32;

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
