import { createErrorTally } from '../output/error-groups.js';
import { silentProgress, type Progress } from '../output/progress.js';
import { createResultsWriter, type ResultsWriter } from '../output/results-writer.js';
import { QUANTITY_TIMES_1000 } from '../read/times-1000.js';
import type { RunQuantities } from '../report/run-quantities.js';
import type { RowOutcome } from '../row-outcome.js';
import type { Connection } from '../send/connect.js';
import type { RunContext } from './run-context.js';

/** Where a run's outcomes go: the results (and failures) files, the progress display, the error tally, the report. */
export interface RunOutputs {
  writer: ResultsWriter;
  /** The one sink every stage records its outcomes with. */
  record: (outcome: RowOutcome) => void;
  errors: ReturnType<typeof createErrorTally>;
  progress: Progress;
  /** Rows refused as exactly 1000 × Zuora's quantity, so far. */
  times1000(): number;
}

/** Which files a pipeline writes, and what the progress display watches. */
export interface OutputTargets {
  /** The results file this run writes (`--out`, or `<out>.partial` while resuming). */
  outPath: string;
  /** The failures file; none for a preview. */
  failuresPath: string | undefined;
  /** A preview's columns beside the input's (preview-columns.ts). */
  extra?: { extraColumns: string[]; extraAfter: number[] };
  /** The connection of a run that talks to Zuora: its pushback and reads are shown. */
  connection?: Connection;
  /** `--backup` with `--report`: the quantities as the updated rows leave them (set once the rows are counted). */
  quantities?: () => RunQuantities | undefined;
}

/**
 * Opens the results writer (truncating the results file: call once `.run.json` no longer describes
 * what it held) and starts the progress display. Both are released when the run ends, the writer
 * closed on every exit path so that the rows already answered reach the file.
 */
export async function openRunOutputs(run: RunContext, targets: OutputTargets): Promise<RunOutputs> {
  const { input, state, deps } = run;
  const errors = createErrorTally();
  const writer = await createResultsWriter({
    outPath: targets.outPath,
    failuresPath: targets.failuresPath,
    header: input.header,
    ...targets.extra,
    delimiter: input.table.delimiter,
    bom: input.table.bom,
    lineEnd: input.table.lineEnd,
    onWriteError: (error, path) => state.stopEarly({ reason: `cannot write ${path}: ${error.message}`, kind: 'output' }),
  });
  // On an unexpected error too: the rows already answered reach the results file (closing twice is harmless).
  run.onExit(() => writer.close());
  const { connection } = targets;
  // Started last, so the log lines of connecting do not cut through the bar.
  const progress =
    deps.progress?.({
      records: input.records,
      pushback: connection?.pushback,
      stopping: () => deps.signal?.aborted === true,
    }) ?? silentProgress;
  run.onExit(() => progress.stop());
  let done = 0;
  let notUpdated = 0;
  let times1000 = 0;
  const { report } = deps;
  const record = (outcome: RowOutcome): void => {
    if (outcome.errorCode === QUANTITY_TIMES_1000) times1000++;
    writer.add(outcome);
    errors.add(outcome);
    done++;
    if (outcome.result !== 'updated' && outcome.result !== 'valid') notUpdated++;
    // Reads are shown once there are any: a run without --preview, --backup or --verify shows none.
    const reader = connection?.reader;
    const reads = reader && reader.requests > 0 ? { reads: reader.requests } : {};
    progress.tick({ done, failed: notUpdated, ...reads });
    if (report) {
      targets.quantities?.()?.recorded(outcome);
      report.row(outcome);
    }
  };
  return { writer, record, errors, progress, times1000: () => times1000 };
}
