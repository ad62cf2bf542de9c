import { usageId, writeCorrectionsFile } from '../../bench/corrections-file.js';
import { mulberry32 } from '../../src/simulator/chaos.js';

export { usageId } from '../../bench/corrections-file.js';

/** A seeded PRNG, so a failing randomized test can be replayed from its seed (the simulator's own). */
export const seededRandom = mulberry32;

/**
 * The seed of a randomized test: `process.env[name]` when set (to replay a failure), else `fallback`.
 * Printed, so a failing run's log says how to replay it.
 */
export function testSeed(name: string, fallback: number): number {
  const given = process.env[name];
  const seed = given === undefined || given === '' ? fallback : Number(given);
  if (!Number.isSafeInteger(seed)) throw new Error(`${name} must be a whole number; got "${given}"`);
  console.log(`${name}=${seed}${given ? '' : ' (default)'}`);
  return seed;
}

/** Row `i` of writeCorrections: `<id>,<i>.25,2026-03-<day>`. */
export function correctionLine(i: number, idOf: (row: number) => string = usageId): string {
  return `${idOf(i)},${i}.25,2026-03-${String((i % 28) + 1).padStart(2, '0')}`;
}

/**
 * Writes a corrections file of `rows` rows (`Id,Quantity,StartDateTime`) with distinct generated ids
 * (the simulator takes them with `acceptAnyId`). `idOf` may map rows onto shared ids. Returns the data
 * lines as written.
 */
export async function writeCorrections(path: string, rows: number, idOf: (row: number) => string = usageId): Promise<string[]> {
  const line = (i: number): string => correctionLine(i, idOf);
  await writeCorrectionsFile(path, rows, { header: 'Id,Quantity,StartDateTime', line });
  return Array.from({ length: rows }, (_, i) => line(i));
}
