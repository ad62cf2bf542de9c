/**
 * Temporary folders that remove themselves. A folder made during a test (or its beforeEach) is removed
 * after that test; one made in a beforeAll or at collection time, when the file ends. The hooks that
 * remove them are registered by test/helpers/setup.ts, the vitest setupFiles entry, so every test
 * file gets them without asking.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const perTest = new Set<string>();
const perFile = new Set<string>();
let inTest = false;

/** A new empty folder under os.tmpdir(), removed for you (see above). */
export async function tempDir(prefix = 'zuu-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  (inTest ? perTest : perFile).add(dir);
  return dir;
}

/** A file named `name` holding `content`, in a new folder of its own removed like tempDir's; returns its path. */
export async function fileWith(content: string | Buffer, name = 'input.csv'): Promise<string> {
  const path = join(await tempDir(), name);
  await writeFile(path, content);
  return path;
}

async function removeAll(dirs: Set<string>): Promise<void> {
  const list = [...dirs];
  dirs.clear();
  await Promise.all(list.map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 3 })));
}

/** For the setup file: a test is starting. */
export function enterTest(): void {
  inTest = true;
}

/** For the setup file: removes the folders of the test that ended. */
export async function leaveTest(): Promise<void> {
  inTest = false;
  await removeAll(perTest);
}

/** For the setup file: removes the folders made outside any test of the file. */
export async function leaveFile(): Promise<void> {
  await removeAll(perFile);
}
