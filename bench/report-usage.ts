/**
 * Preloaded into a measured process (`node --import <this file> ...`): on exit it writes the process's
 * own CPU time and peak RSS (getrusage of the whole process, all threads) and a memory time series to
 * the file named by BENCH_USAGE_FILE. Node gives no rusage of a child, and /usr/bin/time is not on
 * every machine; this works wherever Node does. 'exit' handlers run on process.exit() too.
 */

import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/** What a measured process reports about itself. */
export interface ProcessUsage {
  userMs: number;
  systemMs: number;
  /** Peak resident set size, MB (getrusage ru_maxrss). */
  maxRssMb: number;
  /** Highest V8 heapUsed seen by the sampler, MB. */
  maxHeapUsedMb: number;
  /** Highest external + arrayBuffers seen by the sampler, MB (Buffers, zlib). */
  maxExternalMb: number;
  /** V8's heap size limit, MB: Node sizes it from the memory it may use (a cgroup's limit included). */
  heapSizeLimitMb?: number;
  /** [ms since start, rss, heapTotal, heapUsed, external + arrayBuffers] in MB every SAMPLE_MS: flatness over a run. */
  samples: MemorySample[];
}

export type MemorySample = [number, number, number, number, number];

const SAMPLE_MS = 500;
const MB = 1024 * 1024;

const target = process.env.BENCH_USAGE_FILE;
if (target !== undefined && target !== '') {
  const samples: MemorySample[] = [];
  let maxHeapUsed = 0;
  let maxExternal = 0;
  const sample = (): void => {
    const memory = process.memoryUsage();
    maxHeapUsed = Math.max(maxHeapUsed, memory.heapUsed);
    maxExternal = Math.max(maxExternal, memory.external + memory.arrayBuffers);
    samples.push([
      Math.round(performance.now()),
      round(memory.rss / MB),
      round(memory.heapTotal / MB),
      round(memory.heapUsed / MB),
      round((memory.external + memory.arrayBuffers) / MB),
    ]);
  };
  setInterval(sample, SAMPLE_MS).unref();
  process.on('exit', () => {
    sample();
    const usage = process.resourceUsage();
    const report: ProcessUsage = {
      userMs: usage.userCPUTime / 1000,
      systemMs: usage.systemCPUTime / 1000,
      maxRssMb: round(usage.maxRSS / 1024),
      maxHeapUsedMb: round(maxHeapUsed / MB),
      maxExternalMb: round(maxExternal / MB),
      heapSizeLimitMb: round(getHeapStatistics().heap_size_limit / MB),
      samples,
    };
    writeFileSync(target, JSON.stringify(report));
  });
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
