import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { matchColumns, type ColumnMap } from './input/columns.js';
import { readRows, type InputRecord } from './input/read-rows.js';
import type { MaxFailures, RunOptions } from './options.js';
import { silentProgress, type Progress } from './output/progress.js';
import { createResultsWriter } from './output/results-writer.js';
import {
  checkResumeTarget,
  mergePartial,
  openPriorResults,
  partialPath,
  sameCells,
  writeRunInfo,
  type PriorResults,
} from './output/resume.js';
import { exitCodeFor, nextStep, type StopKind, type Summary } from './output/summary.js';
import type { RowOutcome } from './row-outcome.js';
import { mapRow } from './rows/map-row.js';
import { checkActionsColumns } from './send/actions-transport.js';
import { connect, type Connection } from './send/connect.js';
import { sendUpdates, type SendItem } from './send/send-updates.js';

/** Effects a run uses, passed in so tests and the CLI choose them. */
export interface RunDeps {
  logger: Logger;
  /** Interrupts the run (SIGINT/SIGTERM): no new row starts, in-flight rows get `graceMs` to finish. */
  signal?: AbortSignal;
  /** After an interrupt, how long in-flight requests may take before they are abandoned (`unknown`). Default 10 s. */
  graceMs?: number;
  /** Makes the progress display once the input size is known. Default: none. */
  progress?: (totalBytes: number | undefined) => Progress;
  /** Builds the next-step command for another input file with this run's options. */
  rerun?: (input: string, extra?: string[]) => string;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  userAgent?: string;
}

/**
 * One whole run: read -> map -> send -> write. Row failures end up in the results; run failures
 * (unusable input, refused credentials before anything was sent) are thrown as RunError.
 */
export async function run(options: RunOptions, deps: RunDeps): Promise<Summary> {
  const now = deps.now ?? Date.now;
  const started = now();
  const { logger } = deps;

  const table = await readRows(options.input, { delimiter: options.delimiter });
  const columns = matchColumns(table.header, { ignoreUnknownColumns: options.ignoreUnknownColumns });
  if (options.transport === 'actions') checkActionsColumns(columns.fields);
  logColumns(logger, columns);
  const keptColumns = keptIndexes(table.header.length, columns);
  const header = keptColumns.map((i) => table.header[i] ?? '');

  // Stopping early (credentials refused, --max-failures) and interrupting share one path: no new row
  // starts, retries stop; an interrupt also abandons requests still unanswered after the grace period.
  const stop = new AbortController();
  const abandon = new AbortController();
  // Every row waiting for a slot listens for the stop; that is by design, not a leak.
  setMaxListeners(0, stop.signal);
  let stopReason: string | undefined;
  let stopKind: StopKind | undefined;
  const stopEarly = (reason: string, kind: StopKind): void => {
    if (stop.signal.aborted) return;
    stopReason = reason;
    stopKind = kind;
    logger.error({ reason }, 'stopping early: no new rows will be sent; in-flight rows finish');
    stop.abort();
  };
  const onInterrupt = (): void => {
    stop.abort();
    setTimeout(() => abandon.abort(), deps.graceMs ?? 10_000).unref();
  };
  if (deps.signal?.aborted) onInterrupt();
  deps.signal?.addEventListener('abort', onInterrupt, { once: true });

  let connection: Connection | undefined;
  let priors: PriorResults | undefined;
  let progress: Progress = silentProgress;
  try {
    if (!options.dryRun) {
      connection = await connect(options, {
        logger,
        stopSignal: stop.signal,
        abandonSignal: abandon.signal,
        now,
        sleep: deps.sleep,
        random: deps.random,
        userAgent: deps.userAgent,
      });
    }
    if (connection) {
      const target = targetIdentity(options);
      if (options.resume) {
        // Opening checks the file is a results file (and leaves it alone if not) before anything else.
        priors = await openPriorResults(options.out);
        if (priors && (await checkResumeTarget(options.out, target)) === 'unknown') {
          logger.warn({ results: options.out }, 'no record of which tenant the earlier run used: every row is processed again');
          await priors.close();
          priors = undefined;
        }
      }
      await writeRunInfo(options.out, { tool: 'zuora-usage-update', target, input: options.input, trackPrefix: options.trackPrefix, startedAt: new Date(now()).toISOString() });
    }
    if (priors && !sameCells(priors.header, header)) {
      logger.warn({ results: options.out }, 'the results file has other columns than the input: every row is processed again');
      await priors.close();
      priors = undefined;
    }
    const writer = await createResultsWriter({
      // A resumed run never overwrites what the earlier run recorded until the end (resume.ts).
      outPath: priors ? partialPath(options.out) : options.out,
      failuresPath: options.failures,
      header,
      delimiter: table.delimiter,
      bom: table.bom,
      onWriteError: (error, path) => stopEarly(`cannot write ${path}: ${error.message}`, 'output'),
    });

    // Started last, so the log lines of connecting do not cut through the bar.
    progress = deps.progress?.(table.totalBytes) ?? silentProgress;
    let done = 0;
    let notUpdated = 0;
    let answered = 0;
    let failed = 0;
    let updatedSoFar = 0;
    let unreachableInARow = 0;
    let rowAttempts = 0;
    let kept = 0;
    const record = (outcome: RowOutcome): void => {
      writer.add(outcome);
      done++;
      if (outcome.result !== 'updated' && outcome.result !== 'valid') notUpdated++;
      progress.tick({ done, failed: notUpdated, bytesRead: table.bytesRead() });
    };
    // Ids with a row sent in this resumed run: their later rows are sent again too, so the last still wins.
    const resentIds = new Set<string>();

    const rowsToSend = async function* (): AsyncGenerator<SendItem> {
      for await (const input of table.records) {
        if (stop.signal.aborted) return;
        const item = await prepare(input);
        if (item) yield item;
      }
    };
    const prepare = async (input: InputRecord): Promise<SendItem | undefined> => {
      const cells = keptColumns.map((i) => input.cells[i] ?? '');
      const base = { seq: input.seq, line: input.line, cells, attempts: 0 };
      if (input.parseError !== undefined) {
        // Cells beyond the header have no column in the outputs: the message keeps them, so nothing is lost.
        const extra = input.cells.slice(table.header.length);
        const kept = extra.length > 0 ? `; cells beyond the header: ${extra.map((cell) => JSON.stringify(cell)).join(', ')}` : '';
        record({ ...base, id: (input.cells[columns.idIndex] ?? '').trim(), result: 'invalid', errorCode: 'MALFORMED_RECORD', errorMessage: `line ${input.line}: ${input.parseError}${kept}` });
        return undefined;
      }
      const mapped = mapRow(input.cells, columns, { dateFormat: options.dateFormat });
      if (!mapped.ok) {
        record({ ...base, id: mapped.id, result: 'invalid', errorCode: 'INVALID_ROW', errorMessage: mapped.message });
        return undefined;
      }
      if (!connection) {
        record({ ...base, id: mapped.id, result: 'valid' });
        return undefined;
      }
      if (priors) {
        const prior = await priors.lookup(input.line);
        if (prior?.result === 'updated' && sameCells(prior.cells, cells) && !resentIds.has(mapped.id)) {
          kept++;
          record({ ...base, id: mapped.id, result: 'updated', recorded: prior.resultCells });
          return undefined;
        }
        resentIds.add(mapped.id);
      }
      return { seq: input.seq, line: input.line, cells, update: { id: mapped.id, body: mapped.body, trackId: `${options.trackPrefix}-${input.line}` } };
    };

    if (connection) {
      const { put } = connection;
      await sendUpdates(rowsToSend(), {
        concurrency: connection.rowsInFlight,
        put,
        hasRoom: () => writer.hasRoom(),
        signal: stop.signal,
        onResult: (item, result) => {
          const { credentialsRefused: refused, unreachable, result: outcome, ...rest } = result;
          if (outcome === 'not-sent') return;
          rowAttempts += result.attempts;
          answered++;
          if (outcome === 'failed') failed++;
          if (outcome === 'updated') updatedSoFar++;
          unreachableInARow = unreachable ? unreachableInARow + 1 : 0;
          record({ seq: item.seq, line: item.line, cells: item.cells, id: item.update.id, trackId: item.update.trackId, result: outcome, ...rest });
          if (refused) {
            stopEarly(
              updatedSoFar === 0
                ? `Zuora refused the credentials (HTTP ${result.httpStatus ?? 401}: ${result.errorMessage ?? 'Authentication error'}); fix ZUORA_ACCESS_TOKEN or the OAuth client`
                : `Zuora refused the credentials mid-run (HTTP ${result.httpStatus ?? 401}: ${result.errorMessage ?? 'Authentication error'})`,
              'credentials',
            );
          } else if (unreachableInARow >= Math.max(3, options.concurrency)) {
            stopEarly(`cannot reach Zuora: the last ${unreachableInARow} rows could not connect (${result.errorCode}); every row would fail the same way`, 'unreachable');
          } else if (options.maxFailures && tooManyFailures(options.maxFailures, failed, answered)) {
            stopEarly(`--max-failures reached (${failed} failed of ${answered} answered)`, 'max-failures');
          }
        },
      });
    } else {
      for await (const item of rowsToSend()) void item;
    }

    await writer.close();
    if (priors) {
      await priors.close();
      priors = undefined;
      await mergePartial(options.out);
    }
    progress.stop();
    const status: Summary['status'] = stopReason !== undefined ? 'stopped' : deps.signal?.aborted ? 'interrupted' : 'completed';
    const counts = { ...writer.counts };
    const rows = Object.values(counts).reduce((a, b) => a + b, 0);
    const elapsedMs = now() - started;
    const rerun = deps.rerun ?? ((input: string, extra: string[] = []) => ['zuora-usage-update', input, ...extra].join(' '));
    return {
      status,
      stopReason,
      exitCode: exitCodeFor(status, counts),
      dryRun: options.dryRun,
      counts,
      rows,
      keptFromEarlierRun: kept,
      requests: connection?.requests ?? 0,
      // Rows sent again: a row carried by n requests (one PUT, or n Actions calls) was retried n - 1 times.
      retries: rowAttempts - answered,
      tokenRequests: connection?.tokens.tokenRequests ?? 0,
      elapsedMs,
      rowsPerSecond: elapsedMs > 0 ? ((rows - kept) * 1000) / elapsedMs : 0,
      input: options.input,
      out: options.out,
      failures: options.failures,
      failuresRows: writer.failuresWritten,
      trackPrefix: options.trackPrefix,
      nextStep: nextStep({ status, stopKind, dryRun: options.dryRun, counts, rerun, input: options.input, out: options.out, failures: options.failures }),
    };
  } finally {
    deps.signal?.removeEventListener('abort', onInterrupt);
    progress.stop();
    await priors?.close();
    await connection?.close();
  }
}

/** The tenant a run writes to, as recorded for `--resume`. */
function targetIdentity(options: RunOptions): string {
  if (options.target.kind === 'local') return 'local';
  const scope = [options.entityIds && `entity-ids=${options.entityIds}`, options.orgIds && `org-ids=${options.orgIds}`].filter(Boolean);
  return scope.length > 0 ? `${options.target.baseUrl} (${scope.join(', ')})` : options.target.baseUrl;
}

/** `--max-failures`: a count, or a share of the rows answered so far, counted from the 20th. */
export function tooManyFailures(limit: MaxFailures, failed: number, answered: number): boolean {
  if ('count' in limit) return failed > limit.count;
  return answered >= 20 && (failed * 100) / answered > limit.percent;
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
