import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * End-to-end tests spawn the built CLI, so every test run builds first. Type errors do not stop the
 * emit: `npm test` typechecks before vitest and fails on them, and a half-finished file elsewhere
 * should not keep unrelated tests from running during development.
 */
export default function setup(): () => void {
  // The CLIs the tests spawn get a temp folder of their own (TMPDIR, childEnv): what a killed CLI leaves
  // there, such as a resume's scratch file, is removed with it when the run ends.
  const childTmp = mkdtempSync(join(tmpdir(), 'zuu-children-'));
  process.env.ZUU_TEST_CHILD_TMPDIR = childTmp;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    process.stderr.write(`warning: tsc reported errors (tests run on what it emitted):\n${build.stdout}${build.stderr}\n`);
  }
  return () => rmSync(childTmp, { recursive: true, force: true });
}
