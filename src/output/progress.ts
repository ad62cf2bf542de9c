import type { Pushback } from '../send/pushback.js';

/** What the run reports as it goes; the CLI decides whether anyone sees it. */
export interface Progress {
  /** A record got its outcome. `reads`: read requests so far (`--preview`, `--backup`, `--verify`), never counted as rows. */
  tick(state: { done: number; failed: number; reads?: number }): void;
  stop(): void;
}

/** What a progress display is told when the run starts sending. */
export interface ProgressSource {
  /** Input records, all of them (the structure pre-scan counts them): the 100% of the bar. */
  records: number;
  /** What holds the run back now, when it talks to Zuora (not in a dry run). */
  pushback?: () => Pushback;
  /** True once the run was asked to stop (an interrupt): in-flight requests are finishing. */
  stopping?: () => boolean;
}

export const silentProgress: Progress = { tick: () => {}, stop: () => {} };
