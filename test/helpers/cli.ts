import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { DEMO_CREDENTIALS, type Simulator } from '../../src/simulator/create-simulator.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist/src/cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI as a user would, asynchronously so a simulator in this process keeps answering.
 * The environment is cleared of ZUORA_* variables unless given.
 */
export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('ZUORA_')) env[key] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A fresh folder holding a copy of a fixture (or the given text) as `name`. */
export async function workdir(fixture: string | { name: string; text: string }): Promise<{ dir: string; input: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'zuu-e2e-'));
  if (typeof fixture === 'string') {
    const input = join(dir, fixture);
    await copyFile(join(ROOT, 'fixtures', fixture), input);
    return { dir, input };
  }
  const input = join(dir, fixture.name);
  await writeFile(input, fixture.text);
  return { dir, input };
}

export async function readCsv(path: string, delimiter = ','): Promise<Array<Record<string, string>>> {
  return parse(await readFile(path, 'utf8'), { columns: true, bom: true, delimiter }) as Array<Record<string, string>>;
}

/** Environment that points the CLI at a simulator with its demo OAuth client. */
export function demoEnv(sim: Simulator): Record<string, string> {
  return {
    ZUORA_BASE_URL: sim.url,
    ZUORA_CLIENT_ID: DEMO_CREDENTIALS.clientId,
    ZUORA_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
  };
}
