import { differences } from '../read/compare.js';
import type { ReadBatch } from '../read/query-usage.js';
import { QUERY_ID_LIMIT } from '../read/usage-query.js';
import type { Sleep } from '../send/abortable-sleep.js';
import type { Room } from '../send/room.js';
import type { SendItem, Transport } from '../send/transport.js';
import type { SendResult, Unanswered } from '../send/zuora-call.js';
import type { SendStage } from './send-rows.js';
import { IdMap } from '../rows/id-case.js';

/** What the Ids-in-doubt stage found (SPEC "Outputs", "An Id in doubt"). */
export interface DoubtCounts {
  /** Ids whose last row was answered success after an earlier row's request of that Id got no answer. */
  ids: number;
  /** `--settle`: of those, Ids read back holding the last row's values (SETTLED). */
  settled: number;
  /** `--settle`: of those, Ids whose last row was sent again (RESENT_AFTER_SETTLE when it succeeded). */
  resent: number;
}

/** How the stage settles an Id in doubt, and with what. */
export interface DoubtOptions {
  /** `--settle` in ms: wait until the unanswered requests are this old, read back, re-send. Undefined: mark the row `unknown`. */
  settleMs?: number;
  /** Reads up to 200 ids (the run's reader with this input's fields). */
  read(ids: string[]): Promise<ReadBatch>;
  /** Sends a row again, straight to the transport. */
  resend(item: SendItem): Promise<SendResult>;
  now: () => number;
  sleep: Sleep;
  /** Once aborted, no settle waits any longer: the rows still in doubt end `unknown`. */
  signal?: AbortSignal;
}

/** The send stage with the Ids-in-doubt stage around it. */
export interface DoubtStage extends SendStage {
  /** Counts each row the sender takes (its `onTake`), so the stage knows whether a later row of an Id is still to come. */
  taken(item: SendItem): void;
  /** Decides every row still held and waits for the settles. */
  close(): Promise<void>;
  readonly counts: DoubtCounts;
}

/** The request of an earlier row that got no answer, and that row's line. */
interface Source extends Unanswered {
  line: number;
}

interface Held {
  item: SendItem;
  result: SendResult;
  source: Source;
}

/**
 * An Id in doubt: a request of one of its rows got no answer, so Zuora may still apply it, also after a
 * later row of the Id was applied. The last such later row answered success must not end plain
 * `updated`: it ends `unknown` EARLIER_ATTEMPT_IN_DOUBT, or, with `--settle`, the Id is read back once
 * the unanswered requests are old enough and its last row sent again where Zuora holds another value.
 * Retries of the same row are no doubt: a late copy writes the same values.
 *
 * A row in doubt is held until the stage knows it is its Id's last (no later row of the Id taken, and
 * the input ended), or a later row of the Id answered takes its place; when the results writer is full
 * the rows held are decided at once (a later row of the Id is then judged on its own).
 */
export function watchIdsInDoubt(inner: SendStage, options: DoubtOptions): DoubtStage {
  const sources = new IdMap<Source>();
  /** The Id's unanswered request each row was sent after, by the row's `seq`, until the row is answered. */
  const sourceOf = new Map<number, Source>();
  /** Rows of an Id taken by the sender and not yet through this stage. */
  const open = new IdMap<number>();
  const held = new IdMap<Held>();
  /** Ids being settled: their next row waits until the settle is over (it must not race a re-send). */
  const settling = new IdMap<Promise<void>>();
  const counts: DoubtCounts = { ids: 0, settled: 0, resent: 0 };
  let inputEnded = false;

  const pass = (item: SendItem, result: SendResult): void => inner.settle(item, result);

  const inDoubt = (entry: Held, why: string): SendResult => ({
    ...entry.result,
    result: 'unknown',
    errorCode: 'EARLIER_ATTEMPT_IN_DOUBT',
    errorMessage:
      `Zuora answered success, but a request of an earlier row of this Id (line ${entry.source.line}) sent at ` +
      `${new Date(entry.source.at).toISOString()} got no answer (${entry.source.code}) and may still be applied after this row${why}; ` +
      `send this row again once that request is over 120 s old, or run with --settle`,
  });

  /** `--settle`: rows waiting for their read-back, with what to call once judged; one worker reads them in batches. */
  let queue: Array<{ entry: Held; done: () => void }> = [];
  let worker: Promise<void> | undefined;

  const decide = (entry: Held): void => {
    counts.ids++;
    if (options.settleMs === undefined) return pass(entry.item, inDoubt(entry, ''));
    const id = entry.item.update.id;
    settling.set(id, new Promise<void>((done) => queue.push({ entry, done })).finally(() => settling.delete(id)));
    worker ??= work().finally(() => (worker = undefined));
  };

  const decideIfLast = (id: string): void => {
    const entry = held.get(id);
    if (!entry || !inputEnded || (open.get(id) ?? 0) > 0) return;
    held.delete(id);
    decide(entry);
  };

  const decideAll = (): void => {
    const entries = [...held.values()];
    held.clear();
    for (const entry of entries) decide(entry);
  };

  const dueAt = (entry: Held): number => entry.source.at + (options.settleMs ?? 0);

  /** Waits until the first queued Id's unanswered request is `settleMs` old, then reads back every Id due by then (200 a read). */
  const work = async (): Promise<void> => {
    while (queue.length > 0) {
      const first = Math.min(...queue.map(({ entry }) => dueAt(entry)));
      const wait = first - options.now();
      if (wait > 0 && !options.signal?.aborted) await options.sleep(wait, options.signal);
      const t = options.now();
      const due = queue.filter(({ entry }) => dueAt(entry) <= t).slice(0, QUERY_ID_LIMIT);
      if (options.signal?.aborted || due.length === 0) {
        // Stopped before the read-back: what is left stays in doubt.
        const left = queue;
        queue = [];
        for (const { entry, done } of left) {
          pass(entry.item, inDoubt(entry, ' (the run stopped before the read-back of --settle)'));
          done();
        }
        return;
      }
      queue = queue.filter((queued) => !due.includes(queued));
      const read = await options
        .read(due.map(({ entry }) => entry.item.update.id))
        .catch((error: unknown): ReadBatch => ({ ok: false, call: { trackId: '' }, errorCode: 'CLIENT_ERROR', errorMessage: error instanceof Error ? error.message : String(error) }));
      await Promise.all(due.map(({ entry, done }) => judge(entry, read).finally(done)));
    }
  };

  const judge = async (entry: Held, read: ReadBatch): Promise<void> => {
    const { item, result } = entry;
    if (!read.ok) return pass(item, inDoubt(entry, ` (the read-back of --settle failed: ${read.errorMessage})`));
    const found = read.records.get(item.update.id);
    const trackId = found?.call.trackId ?? read.last.trackId;
    if (found && differences(item.update.fields, found.record).length === 0) {
      counts.settled++;
      const message = `an earlier request of this Id got no answer; read back by ${trackId} once it was ${Math.round((options.settleMs ?? 0) / 1000)} s old, Zuora holds this row's values`;
      return pass(item, { ...result, errorCode: 'SETTLED', errorMessage: message });
    }
    counts.resent++;
    const again = await options.resend(item);
    if (again.result === 'not-sent') return pass(item, inDoubt(entry, ' (the run stopped before the row could be sent again)'));
    const attempts = result.attempts + again.attempts;
    if (again.result !== 'updated') return pass(item, { ...again, attempts });
    const message = `an earlier request of this Id got no answer, and Zuora held other values when read back by ${trackId}: this row was sent again and Zuora answered success`;
    pass(item, { ...again, attempts, errorCode: 'RESENT_AFTER_SETTLE', errorMessage: message });
  };

  const room: Room = {
    hasRoom: () => {
      // Rows held here keep the results writer from writing the rows after them: decide them now.
      if (held.size > 0 && !inner.room.hasRoom()) decideAll();
      return inner.room.hasRoom();
    },
    room: () => inner.room.room(),
  };

  const transport: Transport = {
    send: async (item) => {
      const id = item.update.id;
      const settlingId = settling.get(id);
      if (settlingId !== undefined) await settlingId;
      const source = sources.get(id);
      if (source) sourceOf.set(item.seq, source);
      const result = await inner.transport.send(item);
      if (result.unanswered) sources.set(id, { ...result.unanswered, line: item.line });
      // Never settled: the pool settles rows that were sent only.
      if (result.result === 'not-sent') sourceOf.delete(item.seq);
      return result;
    },
    rowsInFlight: inner.transport.rowsInFlight,
    rowsAdmitted: inner.transport.rowsAdmitted,
    inputEnded: () => {
      inputEnded = true;
      inner.transport.inputEnded();
      for (const id of [...held.keys()]) decideIfLast(id);
    },
  };

  return {
    transport,
    room,
    settle: (item, result) => {
      const id = item.update.id;
      const left = (open.get(id) ?? 1) - 1;
      if (left > 0) open.set(id, left);
      else open.delete(id);
      const source = sourceOf.get(item.seq);
      sourceOf.delete(item.seq);
      const before = held.get(id);
      if (before && before.item.seq > item.seq) {
        // A later row of the Id is held already: this one is not the last.
        pass(item, result);
      } else if (source && result.result === 'updated') {
        if (before) pass(before.item, before.result);
        held.set(id, { item, result, source });
      } else {
        // A later row that may have been applied (unknown, sent again by the failures file or --resume)
        // takes the place of a held one; a row known not applied leaves it the last value.
        if (before && result.result === 'unknown') {
          held.delete(id);
          pass(before.item, before.result);
        }
        pass(item, result);
      }
      decideIfLast(id);
    },
    taken: (item) => {
      open.set(item.update.id, (open.get(item.update.id) ?? 0) + 1);
    },
    async close() {
      inputEnded = true;
      decideAll();
      while (worker) await worker;
    },
    counts,
  };
}
