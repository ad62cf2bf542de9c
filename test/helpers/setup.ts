/**
 * vitest setupFiles entry, run before every test file.
 *
 * The loopback guard in the test process: a refused lookup or connect fails the request at once (the
 * code under test sees a network error) and then fails the test itself, so code that swallows network
 * errors cannot hide it. Spawned CLIs get the same guard through NODE_OPTIONS (test/helpers/cli.ts).
 *
 * Temporary folders from tempDir() are removed after the test (or file) that made them.
 */

import { afterAll, afterEach, beforeEach } from 'vitest';
import { installLoopbackGuard } from './loopback-guard.mjs';
import { enterTest, leaveFile, leaveTest } from './temp-dir.js';

const violations: string[] = [];
installLoopbackGuard((message) => violations.push(message));

/** The refusals recorded since the last call, and forgets them: for the test that expects the guard to fire. */
export function takeLoopbackViolations(): string[] {
  return violations.splice(0);
}

beforeEach(() => enterTest());

afterEach(async () => {
  await leaveTest();
  const found = takeLoopbackViolations();
  if (found.length > 0) throw new Error(`${found.length} attempt(s) to leave the machine:\n${[...new Set(found)].join('\n')}`);
});

afterAll(() => leaveFile());
