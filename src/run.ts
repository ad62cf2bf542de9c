import type { Logger } from 'pino';
import { openBackup, type BackupFile } from './backup/backup-file.js';
import { matchColumns, type ColumnMap } from './input/columns.js';
import { RunError } from './errors.js';
import { checkBlankHeaderColumns } from './input/blank-header-columns.js';
import { checkStructure } from './input/check-structure.js';
import { readRows } from './input/read-rows.js';
import { DECIMAL_COMMA_DELIMITER, type RunOptions } from './options.js';
import { QUANTITY_TIMES_1000 } from './read/times-1000.js';
import { createInputSigns, type InputSigns } from './run/input-signs.js';
import { silentProgress, type Progress, type ProgressSource } from './output/progress.js';
import { createErrorTally } from './output/error-groups.js';
import { createResultsWriter, type ResultsWriter } from './output/results-writer.js';
import { countRowsPerId } from './preview/count-rows-per-id.js';
import { readingOptions } from './resume/reading-options.js';
import { previewColumns } from './preview/preview-columns.js';
import { removeRunInfo, writeRunInfo, type RunInfo } from './resume/run-info.js';
import { takeRunLock } from './output/run-lock.js';
import { checkSideFiles, realResultsPath } from './output/side-files.js';
import { checkEarlierResults } from './output/unfinished-results.js';
import type { RunSummary } from './output/summary.js';
import type { UsageReader } from './read/query-usage.js';
import { startResume, type ResumeSession } from './resume/start-resume.js';
import type { RowOutcome } from './row-outcome.js';
import { createQuantityLedger } from './report/quantity-totals.js';
import { createRunQuantities, type RunQuantities } from './report/run-quantities.js';
import type { RunReporter } from './report/report-collector.js';
import { buildSummary, type SummaryFacts } from './run/build-summary.js';
import { countedRecords } from './run/counted-records.js';
import { mappedRows } from './run/mapped-rows.js';
import { createRunState } from './run/run-state.js';
import { readAndSend } from './run/read-and-send.js';
import { dryRun } from './run/send-rows.js';
import { checkActionsColumns } from './send/actions-transport.js';
import { abortableSleep, type WaitEffects } from './send/abortable-sleep.js';
import { connect, type Connection } from './send/connect.js';
import type { SendItem } from './send/send-updates.js';

/** Effects a run uses, passed in so tests and the CLI choose them. */
export interface RunDeps extends WaitEffects {
  logger: Logger;
  /** Interrupts the run (SIGINT/SIGTERM): no new row starts, in-flight rows get `graceMs` to finish. */
  signal?: AbortSignal;
  /** After an interrupt, how long in-flight requests may take before they are abandoned (`unknown`). Default 10 s. */
  graceMs?: number;
  /** A second interrupt: requests in flight are abandoned now (`unknown`), and the run writes what it has. */
  abandonNow?: AbortSignal;
  /** Makes the progress display once the run starts sending (the records counted, what holds the run back). Default: none. */
  progress?: (source: ProgressSource) => Progress;
  /** The `User-Agent` of every request. Default `zuora-usage-update` (the CLI adds its version). */
  userAgent?: string;
  /** `--report`: told when the run starts writing its outputs, then every row (report/). */
  report?: RunReporter;
  /** The clock of the per-attempt time limits (connect.ts `attemptNow`). Default `Date.now`. */
  attemptNow?: () => number;
}

/**
 * One whole run: read -> map -> (resume filter) -> (back up) -> send (-> verify) -> write; or only
 * validate in a dry run, or only read and compare in a preview.
 * Row failures end up in the results; run failures (unusable input, refused credentials before
 * anything was sent) are thrown as RunError. The advice (next step) is the CLI edge's.
 */
export async function run(options: RunOptions, deps: RunDeps): Promise<RunSummary> {
  // The results file by its real path: a symlinked --out shares its lock and side files with its target.
  const out = realResultsPath(options.out);
  // Before anything is written: two runs on one results file would lose rows and send some twice.
  const lock = takeRunLock(out, { logger: deps.logger, now: deps.now });
  try {
    if (!options.dryRun && !options.preview) checkSideFiles(out);
    // Two runs backing up into one file (with different --out) would each read the other's changes
    // as "before" values and write a second row for an Id: the backup is held like the results.
    const backupLock = options.backup === undefined ? undefined : takeRunLock(options.backup, { logger: deps.logger, now: deps.now, flag: '--backup' });
    try {
      return await runLocked(options, out, deps);
    } finally {
      backupLock?.release();
    }
  } finally {
    lock.release();
  }
}

async function runLocked(options: RunOptions, out: string, deps: RunDeps): Promise<RunSummary> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const { logger } = deps;

  const table = await readRows(options.input, { delimiter: options.delimiter, encoding: options.encoding });
  if (options.decimalComma && table.delimiter === ',') throw new RunError('BAD_OPTION', `${DECIMAL_COMMA_DELIMITER} (${options.input} is separated by ,)`);
  const columns = matchColumns(table.header, { ignoreUnknownColumns: options.ignoreUnknownColumns });
  if (options.transport === 'actions') checkActionsColumns(columns.fields);
  const structure = await checkStructure(table);
  await checkBlankHeaderColumns(options.input, table.header, { delimiter: options.delimiter, encoding: options.encoding, ignoreUnknownColumns: options.ignoreUnknownColumns });
  logColumns(logger, columns);
  const keptColumns = keptIndexes(table.header.length, columns);
  const header = keptColumns.map((i) => table.header[i] ?? '');
  // Look before you leap: the updatable fields the input has a column for, in input order.
  const inputFields = columns.fields.map((column) => column.field);

  const state = createRunState({ interrupt: deps.signal, graceMs: deps.graceMs ?? 10_000, abandonNow: deps.abandonNow, logger });
  const records = countedRecords(table);
  const errors = createErrorTally();
  let connection: Connection | undefined;
  let resume: ResumeSession | undefined;
  let progress: Progress = silentProgress;
  let backup: BackupFile | undefined;
  let writer: ResultsWriter | undefined;
  try {
    // Opened before connecting, so a backup that would be overwritten stops the run before anything is sent.
    if (options.backup !== undefined) backup = await openBackup(options.backup, { fields: inputFields, delimiter: table.delimiter, resume: options.resume, decimalComma: options.decimalComma });
    if (!options.dryRun) {
      try {
        connection = await connect(options, {
          logger,
          stopSignal: state.stopSignal,
          abandonSignal: state.abandonSignal,
          now,
          sleep: deps.sleep,
          random: deps.random,
          userAgent: deps.userAgent,
          attemptNow: deps.attemptNow,
        });
      } catch (error) {
        // An outage before the first row is an early stop like any other (exit 3), with its summary:
        // every record is not reached, nothing was written, and --resume finishes the job.
        if (!(error instanceof RunError && error.code === 'ZUORA_UNREACHABLE')) throw error;
        return { ...unreachableAtStart(error.message, structure.records, options, startedAt, now()), error: { code: error.code, message: error.message } };
      }
      // A preview changes nothing: no tenant to record, no sends to journal.
      if (!options.preview) resume = await openEarlierResults(options, out, { header, keptColumns, idIndex: columns.idIndex }, logger);
    }
    writer = await createResultsWriter({
      // A resumed run never overwrites what the earlier run recorded until the end (start-resume.ts).
      outPath: resume?.outPath ?? out,
      failuresPath: options.preview ? undefined : options.failures,
      header,
      ...(options.preview ? previewColumns(keptColumns, columns.fields) : {}),
      delimiter: table.delimiter,
      bom: table.bom,
      lineEnd: table.lineEnd,
      onWriteError: (error, path) => state.stopEarly({ reason: `cannot write ${path}: ${error.message}`, kind: 'output' }),
    });
    // Only now that the results file is this run's: a kill before leaves results without a record, never mislabelled ones.
    const runInfo: RunInfo = { tool: 'zuora-usage-update', target: targetIdentity(options), input: options.input, trackPrefix: options.trackPrefix, startedAt: new Date(startedAt).toISOString(), reading: readingOptions(options) };
    if (resume) await writeRunInfo(out, runInfo);

    // Started last, so the log lines of connecting do not cut through the bar.
    progress =
      deps.progress?.({
        records: structure.records,
        pushback: connection?.pushback,
        stopping: () => deps.signal?.aborted === true,
      }) ?? silentProgress;
    const recordRow = recordOutcomes(writer, progress, connection?.reader, errors);
    const { report } = deps;
    // A run with --backup and --report adds up the quantities it read and the rows Zuora answered updated.
    let runQuantities: RunQuantities | undefined;
    let times1000 = 0;
    const record = (outcome: RowOutcome): void => {
      if (outcome.errorCode === QUANTITY_TIMES_1000) times1000++;
      recordRow(outcome);
      if (report) {
        runQuantities?.recorded(outcome);
        report.row(outcome);
      }
    };
    // A preview adds up quantities per unit and per account (the summary and the report).
    const ledger = options.preview ? createQuantityLedger() : undefined;
    const keep = resume ? resumeFilter(resume, record) : undefined;
    const signs = createInputSigns(columns, table.delimiter);
    // Invalid rows still count among their Id's rows for the resume filter (which row of the Id is which).
    const mapped = mappedRows(records, table, columns, keptColumns, options, state.stopSignal, keep ? keep.passing(record) : record, signs);
    const valid = async function* (): AsyncGenerator<SendItem> {
      for await (const item of mapped) if (!keep || !(await keep(item))) yield item;
    };

    // A preview (and --skip-unchanged, and a report of a backed-up run) counts the rows of each Id first, so that it keeps nothing of an Id after its last row.
    const countIds = options.preview || options.skipUnchanged === true || (report !== undefined && backup !== undefined);
    const rowsPerId = countIds && connection ? await countRowsPerId(options.input, { delimiter: options.delimiter, encoding: options.encoding }, columns.idIndex, state.stopSignal) : undefined;
    if (!options.preview && report && backup && rowsPerId) runQuantities = createRunQuantities(rowsPerId);
    const live = connection;
    report?.start({
      ledger: ledger ?? runQuantities,
      requests: live && (() => ({ updates: live.requests, reads: live.reader.requests, tokens: live.tokens.tokenRequests, pauses: live.pauses })),
    });
    // There is a connection exactly when this is not a dry run.
    const sent = connection
      ? await readAndSend(valid(), connection, options, state, {
          record,
          room: writer,
          fields: inputFields,
          backup,
          rowsPerId,
          beforeSend: keep?.beforeSend,
          clock: { now, sleep: deps.sleep ?? abortableSleep },
          ledger,
          runQuantities,
        })
      : await dryRun(valid(), record);

    await backup?.close();
    await writer.close();
    await resume?.finish(state.status === 'completed');
    // The run's end, which tells later runs its results are complete (unfinished-results.ts).
    if (resume && state.status === 'completed') await writeRunInfo(out, { ...runInfo, completedAt: new Date(now()).toISOString() });
    resume = undefined;
    progress.stop();
    // Counted to the end, so the summary can say how many records a stopped run never reached.
    if (state.status !== 'completed') await records.drain(logger);
    return buildSummary(
      {
        status: state.status,
        stopReason: state.stop?.reason,
        stopKind: state.stop?.kind,
        counts: writer.counts,
        failuresRows: writer.failuresWritten,
        errorCounts: errors.counts(),
        keptFromEarlierRun: keep?.kept() ?? 0,
        ...sent,
        requests: connection?.requests ?? 0,
        records: records.count(),
        tokenRequests: connection?.tokens.tokenRequests ?? 0,
        readRequests: connection?.reader.requests,
        quantities: ledger?.totals(),
        pauses: connection?.pauses,
        backup: backup && options.backup !== undefined ? { path: options.backup, ids: backup.size } : undefined,
        ...spreadsheetFacts(signs, options, times1000, logger),
        startedAt,
        endedAt: now(),
      },
      options,
    );
  } finally {
    // On an unexpected error too: the rows already answered reach the results file (closing twice is harmless).
    await writer?.close();
    await records.close();
    state.dispose();
    progress.stop();
    await resume?.close();
    await backup?.close();
    await connection?.close();
  }
}

/**
 * What the run learnt of the spreadsheet that wrote the file: rows refused as 1000 × Zuora's (where
 * records were read first), and the warnings a person should read: times without seconds, and a
 * decimal-comma spreadsheet's file sent without reading Zuora's values first.
 */
function spreadsheetFacts(signs: InputSigns, options: RunOptions, times1000: number, logger: Logger): Pick<SummaryFacts, 'quantityTimes1000' | 'warnings' | 'decimalCommaSigns'> {
  const warnings: string[] = [];
  if (signs.noSeconds > 0) {
    const warning = `${signs.noSeconds} date-time cell(s) had a time without seconds (such as 23:59), read as 23:59:00`;
    logger.warn(warning);
    warnings.push(warning);
  }
  // Modes that read each record before writing check every quantity against Zuora's (times-1000.ts).
  const readsFirst = options.preview === true || options.backup !== undefined || options.skipUnchanged === true;
  const decimalCommaSigns = readsFirst ? undefined : signs.decimalCommaSigns();
  if (decimalCommaSigns !== undefined) {
    warnings.push(
      `this file shows signs of a spreadsheet in a decimal-comma locale (${decimalCommaSigns}): such a spreadsheet saves a quantity with three decimals as one 1000 times larger (0.125 as 125) without a word, and this run read nothing from Zuora that could catch it; --preview, --backup or --skip-unchanged compare each quantity with Zuora's first`,
    );
  }
  return { ...(readsFirst ? { quantityTimes1000: times1000 } : {}), ...(warnings.length > 0 ? { warnings } : {}), ...(decimalCommaSigns ? { decimalCommaSigns } : {}) };
}

/** The summary of a run that could not reach Zuora for its first token: stopped early, nothing sent or written. */
function unreachableAtStart(reason: string, records: number, options: RunOptions, startedAt: number, endedAt: number): RunSummary {
  return {
    ...buildSummary(
      {
        status: 'stopped',
        stopReason: reason,
        stopKind: 'unreachable',
        counts: { updated: 0, failed: 0, unknown: 0, invalid: 0, valid: 0 },
        failuresRows: 0,
        keptFromEarlierRun: 0,
        records,
        requests: 0,
        rowAttempts: 0,
        answered: 0,
        tokenRequests: 0,
        startedAt,
        endedAt,
      },
      options,
    ),
    nothingWritten: true,
  };
}

/** Hands outcomes to the writer and the progress display; returns the function every stage records with. */
function recordOutcomes(
  writer: ResultsWriter,
  progress: Progress,
  reader: UsageReader | undefined,
  errors: ReturnType<typeof createErrorTally>,
): (outcome: RowOutcome) => void {
  let done = 0;
  let notUpdated = 0;
  return (outcome) => {
    writer.add(outcome);
    errors.add(outcome);
    done++;
    if (outcome.result !== 'updated' && outcome.result !== 'valid') notUpdated++;
    // Reads are shown once there are any: a run without --preview, --backup or --verify shows none.
    const reads = reader && reader.requests > 0 ? { reads: reader.requests } : {};
    progress.tick({ done, failed: notUpdated, ...reads });
  };
}

/**
 * `--resume`, opening side (start-resume.ts): which earlier results of this `--out` can be trusted
 * (same tenant, same columns, same rows), the send journal of this run, and the record of this run's
 * tenant beside them. Also for a run without `--resume`, whose sends are journaled too.
 */
async function openEarlierResults(
  options: RunOptions,
  out: string,
  shape: { header: string[]; keptColumns: number[]; idIndex: number },
  logger: Logger,
): Promise<ResumeSession> {
  const target = targetIdentity(options);
  // Results of an unfinished run are not written over without --resume or --overwrite.
  if (!options.resume) await checkEarlierResults(out, { overwrite: options.overwrite === true, input: options.input, delimiter: options.delimiter, encoding: options.encoding, logger });
  // Checks an earlier results file is one of ours (and leaves it alone if not) before anything else.
  const session = await startResume({ out, resume: options.resume, target, input: options.input, delimiter: options.delimiter, encoding: options.encoding, reading: readingOptions(options), ...shape, logger });
  // Results about to be written anew lose their record first (written again once they are this run's).
  if (session.outPath === out) await removeRunInfo(out);
  return session;
}

/**
 * `--resume`, row side: a row kept from the earlier run is recorded again, not sent; any other row is
 * noted in the journal as about to be sent. Resolves true when the row was kept. `beforeSend` puts a
 * sent row's entry on disk before its first request.
 */
function resumeFilter(
  session: ResumeSession,
  record: (outcome: RowOutcome) => void,
): ((item: SendItem) => Promise<boolean>) & { kept(): number; beforeSend(item: SendItem): void; passing(next: (outcome: RowOutcome) => void): (outcome: RowOutcome) => void } {
  let kept = 0;
  const filter = async (item: SendItem): Promise<boolean> => {
    const { id } = item.update;
    const recorded = await session.decide(item.line, id, item.cells);
    if (!recorded) return false;
    kept++;
    record({ seq: item.seq, line: item.line, cells: item.cells, attempts: 0, id, result: recorded[0] === 'unchanged' ? 'unchanged' : 'updated', recorded });
    return true;
  };
  const beforeSend = (item: SendItem): void => session.beforeSend(item.line);
  const passing = (next: (outcome: RowOutcome) => void) => (outcome: RowOutcome) => {
    session.passed(outcome.cells);
    next(outcome);
  };
  return Object.assign(filter, { kept: () => kept, beforeSend, passing });
}

/** The tenant a run writes to, as recorded for `--resume`. */
function targetIdentity(options: RunOptions): string {
  if (options.target.kind === 'local') return 'local';
  const scope = [options.entityIds && `entity-ids=${options.entityIds}`, options.orgIds && `org-ids=${options.orgIds}`].filter(Boolean);
  return scope.length > 0 ? `${options.target.baseUrl} (${scope.join(', ')})` : options.target.baseUrl;
}

/** Input columns echoed in the outputs: all but the result columns of an earlier run. */
function keptIndexes(width: number, columns: ColumnMap): number[] {
  const dropped = new Set(columns.resultColumnIndexes);
  return Array.from({ length: width }, (_, i) => i).filter((i) => !dropped.has(i));
}

function logColumns(logger: Logger, columns: ColumnMap): void {
  const sent = columns.fields.map((f) => (f.header === f.field ? f.field : `${f.header} as ${f.field}`));
  const parts = [`sending ${sent.join(', ')}`];
  if (columns.ignored.length > 0) parts.push(`not sending (read-only or other objects) ${columns.ignored.join(', ')}`);
  if (columns.unknown.length > 0) parts.push(`carrying unknown columns along ${columns.unknown.join(', ')}`);
  logger.info(`columns: ${parts.join('; ')}`);
}
