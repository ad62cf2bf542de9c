/** Medians and memory floors over measured runs. */

import type { MemorySample } from './report-usage.js';
import type { RunFigures } from './session.js';

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

type Measure = 'rowsPerSecond' | 'cpuMsPerRow' | 'maxRssMb' | 'simulatorCpuMsPerRow';

export const medianOf = (runs: RunFigures[], key: Measure): number => median(runs.map((run) => run[key]));

/** The runs without their memory series, for the JSON file. */
export const brief = (runs: RunFigures[]): Array<Omit<RunFigures, 'memorySamples'>> => runs.map(({ memorySamples: _, ...rest }) => rest);

/**
 * The live heap near the start and near the end of a run: the lowest heapUsed in the second and in the
 * last quarter of the samples (the troughs right after a collection). Equal floors = nothing retained per row.
 */
export function heapFloors(samples: MemorySample[] | undefined): { early: number; late: number } | undefined {
  if (samples === undefined || samples.length < 8) return undefined;
  const quarter = Math.floor(samples.length / 4);
  const floor = (part: MemorySample[]): number => Math.min(...part.map((sample) => sample[3]));
  return { early: floor(samples.slice(quarter, 2 * quarter)), late: floor(samples.slice(-quarter)) };
}
