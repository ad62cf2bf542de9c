import type { Logger } from 'pino';
import type { RunOptions } from '../options.js';
import { checkEarlierResults } from '../output/unfinished-results.js';
import type { RowOutcome } from '../row-outcome.js';
import type { SendItem } from '../send/transport.js';
import { readingOptions } from './reading-options.js';
import { removeRunInfo, targetIdentity, writeRunInfo, type RunInfo } from './run-info.js';
import { startResume, type ResumeSession } from './start-resume.js';

/**
 * Resume as one stage of an applying run (SPEC "Resume"): which rows an earlier run's results let
 * this run keep, the send journal that lets a later `--resume` finish this run after a `kill -9`, and
 * the `.run.json` record of the tenant the results belong to.
 *
 * With `--resume` the stage is a generator between the mapping and the send stages: a row kept from
 * the earlier run is recorded again and not passed on; any other row passes, noted in the journal.
 * A fresh run can keep nothing, so it has no generator (no promise per row): the mapping notes each
 * valid row in the journal as it passes it on (`mapping().onValid`). Either way a row's journal entry
 * is written (batched with those noted before it) by `beforeSend`, before its first request.
 */
export interface ResumeStage {
  /** Where this run writes its results: `--out`, or `<out>.partial` while an earlier run's results are read. */
  readonly outPath: string;
  /**
   * Hooks for the mapping stage, before this one: `record` for the rows recorded there (unreadable and
   * invalid rows, which with `--resume` still count among their Id's rows), `onValid` for each valid row.
   */
  mapping(record: (outcome: RowOutcome) => void): { record: (outcome: RowOutcome) => void; onValid?: (item: SendItem) => void };
  /** The stage itself: with `--resume`, records the rows kept and yields the rest; on a fresh run, `rows` as they are. */
  keepRecorded(rows: AsyncIterable<SendItem>, record: (outcome: RowOutcome) => void): AsyncIterable<SendItem>;
  /** Synchronously before the first request of a row leaves (the transport's hook): its journal entry is on the OS on return. */
  beforeSend(item: SendItem): void;
  /** Rows kept from the earlier run so far. */
  readonly kept: number;
  /** The results file is now this run's (opened, truncated or new): record which tenant it is written against. */
  resultsOpened(): Promise<void>;
  /**
   * After the results writer closed. `complete`: every input row has its record: the results are
   * final, the journal goes and `.run.json` records the run's end (`endedAt`, ms).
   */
  finish(complete: boolean, endedAt: number): Promise<void>;
  /** Releases files on any exit path; `finish` is not implied. */
  close(): Promise<void>;
}

/** The input's shape, as the results echo it. */
export interface ResultsShape {
  /** Input header without result columns of an earlier run. */
  header: string[];
  /** Positions of the input cells echoed in the results. */
  keptColumns: number[];
  /** Position of the Id among the input cells. */
  idIndex: number;
}

/**
 * Opens the stage for the results file `out` (its real path): refuses an unfinished run's results
 * without `--resume` or `--overwrite`, judges which earlier results can be trusted (start-resume.ts),
 * opens the send journal, and removes `.run.json` when the results are about to be written anew.
 */
export async function startResumeStage(options: RunOptions, out: string, shape: ResultsShape, startedAt: number, logger: Logger): Promise<ResumeStage> {
  const target = targetIdentity(options);
  // Results of an unfinished run are not written over without --resume or --overwrite.
  if (!options.resume) await checkEarlierResults(out, { overwrite: options.overwrite === true, input: options.input, delimiter: options.delimiter, encoding: options.encoding, logger });
  // Checks an earlier results file is one of ours (and leaves it alone if not) before anything else.
  const session = await startResume({ out, resume: options.resume, target, input: options.input, delimiter: options.delimiter, encoding: options.encoding, reading: readingOptions(options), ...shape, logger });
  // Results about to be written anew lose their record first: a kill between truncating them and
  // writing the new record leaves results with no record (processed again), never mislabelled ones.
  if (session.outPath === out) await removeRunInfo(out);
  const runInfo: RunInfo = { tool: 'zuora-usage-update', target, input: options.input, trackPrefix: options.trackPrefix, startedAt: new Date(startedAt).toISOString(), reading: readingOptions(options) };
  return session.kind === 'fresh' ? freshStage(session, out, runInfo) : resumedStage(session, out, runInfo);
}

/** A fresh run: every valid row is sent; the mapping notes it in the journal, with no stage of its own. */
function freshStage(session: ResumeSession, out: string, runInfo: RunInfo): ResumeStage {
  const note = (item: SendItem): void => {
    session.decide(item.line, item.update.id, item.cells);
  };
  return {
    ...sharedHooks(session, out, runInfo),
    mapping: (record) => ({ record, onValid: note }),
    keepRecorded: (rows) => rows,
    kept: 0,
  };
}

/** A resumed run: a generator that records the rows kept from the earlier run and passes the rest on. */
function resumedStage(session: ResumeSession, out: string, runInfo: RunInfo): ResumeStage {
  let kept = 0;
  return {
    ...sharedHooks(session, out, runInfo),
    // Invalid rows still count among their Id's rows (which row of the Id is which).
    mapping: (record) => ({
      record(outcome) {
        session.passed(outcome.cells);
        record(outcome);
      },
    }),
    async *keepRecorded(rows, record) {
      for await (const item of rows) {
        const { id } = item.update;
        const recorded = session.decide(item.line, id, item.cells);
        if (!recorded) {
          yield item;
          continue;
        }
        kept++;
        record({ seq: item.seq, line: item.line, cells: item.cells, attempts: 0, id, result: recorded[0] === 'unchanged' ? 'unchanged' : 'updated', recorded });
      }
    },
    get kept() {
      return kept;
    },
  };
}

function sharedHooks(session: ResumeSession, out: string, runInfo: RunInfo): Pick<ResumeStage, 'outPath' | 'beforeSend' | 'resultsOpened' | 'finish' | 'close'> {
  return {
    outPath: session.outPath,
    beforeSend(item) {
      session.beforeSend(item.line);
    },
    // Only now that the results file is this run's: a kill before leaves results without a record, never mislabelled ones.
    resultsOpened: () => writeRunInfo(out, runInfo),
    async finish(complete, endedAt) {
      await session.finish(complete);
      // The run's end, which tells later runs its results are complete (unfinished-results.ts).
      if (complete) await writeRunInfo(out, { ...runInfo, completedAt: new Date(endedAt).toISOString() });
    },
    close: () => session.close(),
  };
}
