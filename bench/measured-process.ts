/**
 * Spawns a Node program the way a user would (timed from spawn to exit) with report-usage.js preloaded,
 * and returns its wall time, exit code, and the CPU time and peak RSS it reported about itself.
 */

import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { ProcessUsage } from './report-usage.js';

export interface MeasuredRun {
  wallMs: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Undefined when the process died without running its exit handlers (killed). */
  usage: ProcessUsage | undefined;
  /** The last few KB of stderr, for a failure message. */
  stderrTail: string;
}

export interface MeasureOptions {
  env?: NodeJS.ProcessEnv;
  /** Node flags before the script, e.g. `--cpu-prof`. */
  nodeFlags?: string[];
  /** A cgroup's `cgroup.procs` (memory-cgroup.ts): the process joins it before Node starts. */
  cgroupProcs?: string;
}

const REPORT_USAGE = fileURLToPath(new URL('./report-usage.js', import.meta.url));
const STDERR_TAIL_BYTES = 4096;
let counter = 0;

export async function runMeasured(script: string, args: string[], options: MeasureOptions = {}): Promise<MeasuredRun> {
  const usageFile = join(tmpdir(), `zuu-bench-usage-${process.pid}-${counter++}.json`);
  const started = performance.now();
  const command = [process.execPath, ...(options.nodeFlags ?? []), '--import', REPORT_USAGE, script, ...args];
  // In a cgroup: a shell writes its own pid to cgroup.procs, then becomes Node (same pid) inside the limit.
  const [file, ...argv] = options.cgroupProcs === undefined ? command : ['/bin/sh', '-c', 'echo $$ > "$1" && shift && exec "$@"', 'sh', options.cgroupProcs, ...command];
  const child = spawn(file as string, argv, {
    env: { ...process.env, ...options.env, BENCH_USAGE_FILE: usageFile },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderrTail = (stderrTail + text).slice(-STDERR_TAIL_BYTES);
  });
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, sig) => resolve([code, sig]));
  });
  const wallMs = performance.now() - started;
  let usage: ProcessUsage | undefined;
  try {
    usage = JSON.parse(await readFile(usageFile, 'utf8')) as ProcessUsage;
  } catch {
    usage = undefined;
  }
  await rm(usageFile, { force: true });
  return { wallMs, exitCode, signal, usage, stderrTail };
}
