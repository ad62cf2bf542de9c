import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { DEMO_CREDENTIALS, type Simulator } from '../../src/simulator/create-simulator.js';
import { GUARD_ENV } from './loopback-guard.mjs';
import { tempDir } from './temp-dir.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist/src/cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const LOOPBACK_GUARD = new URL('./loopback-guard.mjs', import.meta.url).href;

/**
 * The environment of a spawned Node process in a test: this one's without ZUORA_* variables, plus
 * `ZUORA_USAGE_LOG_FORMAT=text` (tests read messages and the summary block as a person does; a test of
 * the JSON log passes `--log-format json`, or `ZUORA_USAGE_LOG_FORMAT: ''` for the default of a
 * stderr that is not a terminal), plus `extra`, plus the loopback guard preloaded (a connect or lookup
 * of any host but loopback makes the child print why and exit with GUARD_EXIT_CODE).
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('ZUORA_')) env[key] = value;
  const nodeOptions = [process.env.NODE_OPTIONS, `--import=${LOOPBACK_GUARD}`].filter(Boolean).join(' ');
  // A temp folder the test run removes (global-setup.ts): a CLI killed mid-run leaves nothing in the system's.
  const childTmp = process.env.ZUU_TEST_CHILD_TMPDIR === undefined ? {} : { TMPDIR: process.env.ZUU_TEST_CHILD_TMPDIR };
  return { ...env, ZUORA_USAGE_LOG_FORMAT: 'text', ...childTmp, ...extra, NODE_OPTIONS: nodeOptions, [GUARD_ENV]: 'exit' };
}

/** Spawns the built CLI (`args` after `dist/src/cli.js`) with childEnv(env); for tests that signal or kill it. */
export function spawnCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; stdio?: StdioOptions } = {},
): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: childEnv(options.env),
    stdio: options.stdio ?? 'ignore',
  });
}

/**
 * Runs the built CLI as a user would, asynchronously so a simulator in this process keeps answering.
 * The environment is cleared of ZUORA_* variables unless given, and the loopback guard is preloaded.
 */
export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A fresh folder (removed after the test, see temp-dir.ts) holding a copy of a fixture (or the given text) as `name`. */
export async function workdir(fixture: string | { name: string; text: string }): Promise<{ dir: string; input: string }> {
  const dir = await tempDir('zuu-e2e-');
  if (typeof fixture === 'string') {
    const input = join(dir, fixture);
    await copyFile(join(ROOT, 'fixtures', fixture), input);
    return { dir, input };
  }
  const input = join(dir, fixture.name);
  await writeFile(input, fixture.text);
  return { dir, input };
}

/** The rows of a CSV file as objects keyed by header (one key per column name: see readHeader for duplicates). */
/** An input file of the given lines in a folder of its own, removed after the test. */
export function inputFile(name: string, lines: string[]): Promise<{ dir: string; input: string }> {
  return workdir({ name, text: `${lines.join('\n')}\n` });
}

export async function readCsv(path: string, delimiter = ','): Promise<Array<Record<string, string>>> {
  return parse(await readFile(path, 'utf8'), { columns: true, bom: true, delimiter }) as Array<Record<string, string>>;
}

/** The header cells of a CSV file exactly as written, duplicates included. */
export async function readHeader(path: string, delimiter = ','): Promise<string[]> {
  const [header] = parse(await readFile(path, 'utf8'), { bom: true, delimiter, to_line: 1 }) as string[][];
  return header ?? [];
}

/** The last line of a log (a run's stderr), parsed: every run ends its log with the "run finished" record. */
export function lastLogRecord(log: string): Record<string, unknown> {
  const lines = log.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as Record<string, unknown>;
}

/** The messages of a JSON log (`--log-format json`), one a line, as a person would read them. */
export function logMessages(log: string): string {
  return log
    .trim()
    .split('\n')
    .map((line) => String((JSON.parse(line) as { msg?: unknown }).msg))
    .join('\n');
}

/** Environment that points the CLI at a simulator with its demo OAuth client. */
export function demoEnv(sim: Simulator): Record<string, string> {
  return {
    ZUORA_BASE_URL: sim.url,
    ZUORA_CLIENT_ID: DEMO_CREDENTIALS.clientId,
    ZUORA_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
  };
}
