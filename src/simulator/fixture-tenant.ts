/**
 * The default tenant: the usage records in `fixtures/tenant.json`, shipped with the package. The file is
 * found relative to this module, which runs from `src/simulator` (tsx, vitest) and from
 * `dist/src/simulator` (built), so the search walks up until a `fixtures/tenant.json` appears.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UsageRecord } from './tenant.js';

let cached: UsageRecord[] | undefined;

/** Path of `fixtures/tenant.json` in the package root. */
export function fixtureTenantPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 5; level += 1) {
    const candidate = join(dir, 'fixtures', 'tenant.json');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('fixtures/tenant.json not found above ' + dirname(fileURLToPath(import.meta.url)));
}

/** A fresh copy of the fixture tenant's records (each simulator mutates its own copy). */
export function fixtureTenantRecords(): UsageRecord[] {
  cached ??= JSON.parse(readFileSync(fixtureTenantPath(), 'utf8')) as UsageRecord[];
  return structuredClone(cached);
}
