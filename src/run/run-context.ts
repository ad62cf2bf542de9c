import type { RunOptions } from '../options.js';
import type { RunDeps } from '../run.js';
import type { CountedRecords } from './counted-records.js';
import type { RunInput } from './open-input.js';
import type { RunState } from './run-state.js';

/** What every pipeline of a run (dry run, preview, apply) starts from: the input opened and checked, the run's state. */
export interface RunContext {
  options: RunOptions;
  /** The results file by its real path: its side files are named from it. */
  out: string;
  deps: RunDeps;
  input: RunInput;
  state: RunState;
  /** The input records, counted as they are read (the summary says how many a stopped run never reached). */
  records: CountedRecords;
  now: () => number;
  /** Clock reading at the start of the run, in ms. */
  startedAt: number;
  /** Registers what to release when the run ends, on every exit path (an unexpected error included); the last registered goes first. */
  onExit(release: () => unknown): void;
}
