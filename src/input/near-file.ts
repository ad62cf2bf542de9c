import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { editDistance } from '../text/edit-distance.js';

/**
 * For an input path that does not exist: a file of its folder with a near name (a typing slip, a
 * missing `.csv`, other capitals), as words to add to the message; or that the folder itself is missing.
 */
export function nearFileName(path: string): string {
  const folder = dirname(path);
  let names: string[];
  try {
    names = readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name);
  } catch {
    return ` (the folder ${folder} does not exist either)`;
  }
  const wanted = basename(path).toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const lower = name.toLowerCase();
    const distance = Math.min(editDistance(wanted, lower), editDistance(`${wanted}.csv`, lower));
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best || best.distance > Math.max(2, Math.floor(wanted.length / 4))) return '';
  return `; did you mean ${folder === '.' && !path.startsWith('.') ? best.name : join(folder, best.name)}?`;
}
