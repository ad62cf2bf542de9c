import type { ReadBatch } from '../read/query-usage.js';
import { bothRooms, createRoom } from '../send/send-updates.js';
import { createVerifier } from '../verify/verify-updates.js';
import type { RunState } from './run-state.js';
import type { SendHooks } from './send-rows.js';
import type { StopPolicy } from './stop-policy.js';

/** `--verify`: most rows answered but waiting for their read-back before the sender takes more rows (a few batches of reads). */
export const VERIFY_MAX_WAITING = 2000;

/** The send stage's hooks with `--verify` around them, and what the read-backs found. */
export interface VerifiedSending extends SendHooks {
  /** Reads back what is still waiting and settles every row. */
  close(): Promise<void>;
  readonly counts: { verified: number; mismatches: number; notVerified: number; verifiedAfterUnknown: number; notCompared: number };
}

/**
 * `--verify` around the send stage: its `put` is tracked (which rows of an Id were sent after which),
 * each answered row is held until its record is read back, then settled as `hooks` would; a mismatch is
 * a failed row for the stop policy (`--max-failures`), as it is in the results.
 */
export function verifySentRows(hooks: SendHooks, read: (ids: string[]) => Promise<ReadBatch>, state: RunState, policy: StopPolicy): VerifiedSending {
  const readBacks = createRoom(() => verifier.waiting < VERIFY_MAX_WAITING);
  const verifier = createVerifier({
    read,
    onSettled: (item, result, verdict) => {
      hooks.settle(item, result);
      readBacks.check();
      if (verdict !== 'mismatch') return;
      const stop = policy.afterMismatch();
      if (stop) state.stopEarly(stop);
    },
  });
  return {
    ...hooks,
    put: verifier.track(hooks.put),
    settle: (item, result) => verifier.answered(item, result),
    room: bothRooms(hooks.room, readBacks),
    close: () => verifier.close(),
    counts: verifier.counts,
  };
}
