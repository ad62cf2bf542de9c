/**
 * RSS and live heap after importing one module in a fresh Node (issue 21, where the memory goes):
 *   node --max-semi-space-size=6 --heap-growing-percent=100 dist/bench/import-cost.js <module>
 * `<module>` is a package name (got, yargs, pino, ...) or a path under dist/ (`dist/src/run.js`). Node
 * alone is the line with `node:fs`.
 */

import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Not session.js's ROOT: importing it would load the simulator before the measurement.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const name = process.argv[2] ?? 'node:fs';
const before = process.memoryUsage().rss;
await import(name.startsWith('dist/') ? pathToFileURL(join(ROOT, name)).href : name);
const after = process.memoryUsage();
const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
process.stdout.write(`${name}: RSS ${mb(after.rss)} MB (+${mb(after.rss - before)} for the import), heapUsed ${mb(after.heapUsed)} MB\n`);
