/** What the run reports as it goes; the CLI decides whether anyone sees it. */
export interface Progress {
  /** A record got its outcome. */
  tick(state: { done: number; failed: number; bytesRead: number; reads?: number }): void;
  stop(): void;
}

export const silentProgress: Progress = { tick: () => {}, stop: () => {} };
