/**
 * A hard memory limit for one measured process: a child cgroup (v1 `memory.limit_in_bytes`, or v2
 * `memory.max`) of the bench's own memory cgroup. Needs write access to that cgroup (root on this
 * machine). The process is moved in by a `sh` wrapper before it execs Node, so Node starts inside the
 * limit and sizes its default heap from it. When no cgroup can be made, `createMemoryCgroup` says why.
 */

import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MemoryCgroup {
  /** The `cgroup.procs` file a process writes its pid to, to join. */
  procs: string;
  version: 1 | 2;
  /** Peak usage, MB: v1 `memory.max_usage_in_bytes` (v2 `memory.peak`), page cache included. */
  peakMb(): number;
  /** Times the limit was hit (v1 `memory.failcnt`), and OOM kills (`memory.oom_control` / `memory.events`). */
  limitHits(): { failcnt: number; oomKills: number };
  remove(): void;
}

const V1_ROOT = '/sys/fs/cgroup/memory';
const V2_ROOT = '/sys/fs/cgroup';
let counter = 0;

/** This process's cgroup path for the memory controller (v1), or its unified path (v2). */
function ownCgroup(): { version: 1 | 2; dir: string } | string {
  let text: string;
  try {
    text = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return 'no /proc/self/cgroup (not Linux)';
  }
  const lines = text.trim().split('\n').map((line) => line.split(':'));
  const v1 = lines.find((parts) => parts[1]?.split(',').includes('memory'));
  if (v1 && existsSync(join(V1_ROOT, 'memory.limit_in_bytes'))) return { version: 1, dir: join(V1_ROOT, v1[2] ?? '/') };
  const v2 = lines.find((parts) => parts[0] === '0' && parts[1] === '');
  if (v2 && existsSync(join(V2_ROOT, 'cgroup.controllers'))) return { version: 2, dir: join(V2_ROOT, v2[2] ?? '/') };
  return 'no memory cgroup controller mounted (neither v1 /sys/fs/cgroup/memory nor v2 with memory)';
}

const number = (path: string): number => Number(readFileSync(path, 'utf8').trim());
const field = (path: string, name: string): number => {
  const line = readFileSync(path, 'utf8').split('\n').find((text) => text.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
};

/** Makes a child cgroup limited to `limitBytes`, or returns why it cannot. */
export function createMemoryCgroup(limitBytes: number): MemoryCgroup | string {
  const own = ownCgroup();
  if (typeof own === 'string') return own;
  const dir = join(own.dir, `zuu-bench-${process.pid}-${counter++}`);
  try {
    mkdirSync(dir);
  } catch (error) {
    return `cannot create a child cgroup in ${own.dir}: ${(error as Error).message}`;
  }
  try {
    if (own.version === 1) writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
    else {
      writeFileSync(join(dir, 'memory.max'), String(limitBytes));
      writeFileSync(join(dir, 'memory.swap.max'), '0');
    }
  } catch (error) {
    rmdirSync(dir);
    return `cannot set the memory limit of ${dir}: ${(error as Error).message}`;
  }
  // No swap here; where there is some, v1 needs memsw too for a hard limit (may be absent: swap accounting off).
  if (own.version === 1 && existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) {
    try {
      writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(limitBytes));
    } catch {
      // Without swap accounting the memory limit alone is the hard limit.
    }
  }
  return {
    procs: join(dir, 'cgroup.procs'),
    version: own.version,
    peakMb: () => number(join(dir, own.version === 1 ? 'memory.max_usage_in_bytes' : 'memory.peak')) / 2 ** 20,
    limitHits: () =>
      own.version === 1
        ? { failcnt: number(join(dir, 'memory.failcnt')), oomKills: field(join(dir, 'memory.oom_control'), 'oom_kill') }
        : { failcnt: field(join(dir, 'memory.events'), 'max'), oomKills: field(join(dir, 'memory.events'), 'oom_kill') },
    remove: () => {
      // The process has exited; an empty cgroup can be removed (a retry covers the kernel's lag).
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          rmdirSync(dir);
          return;
        } catch {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        }
      }
    },
  };
}
