import type { ReadBatch } from '../read/query-usage.js';
import { bothRooms, createRoom } from '../send/room.js';
import { createVerifier } from '../verify/verify-updates.js';
import type { RunState } from './run-state.js';
import type { SendStage } from './send-rows.js';
import type { StopPolicy } from './stop-policy.js';

/** `--verify`: most rows answered but waiting for their read-back before the sender takes more rows (a few batches of reads). */
export const VERIFY_MAX_WAITING = 2000;

/** The send stage with `--verify` around it, and what the read-backs found. */
export interface VerifiedSending extends SendStage {
  /** Reads back what is still waiting and settles every row. */
  close(): Promise<void>;
  readonly counts: { verified: number; mismatches: number; notVerified: number; verifiedAfterUnknown: number; notCompared: number };
}

/**
 * `--verify` around the send stage: its transport is tracked (which rows of an Id were sent after which),
 * each answered row is held until its record is read back, then settled as `inner` would; a mismatch is
 * a failed row for the stop policy (`--max-failures`), as it is in the results.
 */
export function verifySentRows(inner: SendStage, read: (ids: string[]) => Promise<ReadBatch>, state: RunState, policy: StopPolicy): VerifiedSending {
  const readBacks = createRoom(() => verifier.waiting < VERIFY_MAX_WAITING);
  const verifier = createVerifier({
    read,
    onSettled: (item, result, verdict) => {
      inner.settle(item, result);
      readBacks.check();
      if (verdict !== 'mismatch') return;
      const stop = policy.afterMismatch();
      if (stop) state.stopEarly(stop);
    },
  });
  return {
    transport: verifier.track(inner.transport),
    settle: (item, result) => verifier.answered(item, result),
    room: bothRooms(inner.room, readBacks),
    close: () => verifier.close(),
    counts: verifier.counts,
  };
}
