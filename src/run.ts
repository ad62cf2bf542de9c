import type { Logger } from 'pino';
import { RunError } from './errors.js';
import { matchColumns, type ColumnMap } from './input/columns.js';
import { readRows } from './input/read-rows.js';
import type { MaxFailures, RunOptions } from './options.js';
import { silentProgress, type Progress } from './output/progress.js';
import { createResultsWriter } from './output/results-writer.js';
import { exitCodeFor, nextStep, type Summary } from './output/summary.js';
import type { RowOutcome } from './row-outcome.js';
import { mapRow } from './rows/map-row.js';
import { createTokenProvider, type Credentials } from './send/auth.js';
import { closeHttpClient, createHttpClient } from './send/http-client.js';
import { putUsage, type PutContext, type PutResult } from './send/put-usage.js';
import { DEFAULT_RETRY_POLICY } from './send/retry-policy.js';
import { sendUpdates, type SendItem } from './send/send-updates.js';
import { createThrottle } from './send/throttle.js';
import { createSimulator, DEMO_CREDENTIALS, type Simulator } from './simulator/create-simulator.js';

/** Effects a run uses, passed in so tests and the CLI choose them. */
export interface RunDeps {
  logger: Logger;
  /** Interrupts the run (SIGINT/SIGTERM): no new row starts, in-flight rows finish. */
  signal?: AbortSignal;
  progress?: Progress;
  /** Builds the next-step command for another input file with this run's options. */
  rerun?: (input: string, extra?: string[]) => string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
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
  const logger = deps.logger;
  const progress = deps.progress ?? silentProgress;

  const table = await readRows(options.input, { delimiter: options.delimiter });
  const columns = matchColumns(table.header, { ignoreUnknownColumns: options.ignoreUnknownColumns });
  logColumns(logger, columns);
  const kept = keptIndexes(table.header.length, columns);
  const header = kept.map((i) => table.header[i] ?? '');

  let simulator: Simulator | undefined;
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    let put: ((update: SendItem['update']) => Promise<PutResult>) | undefined;
    let tokenRequests = (): number => 0;
    if (!options.dryRun) {
      let baseUrl: string;
      let credentials: Credentials | undefined = options.credentials;
      if (options.target.kind === 'local') {
        simulator = await createSimulator();
        const sim = simulator;
        cleanups.push(() => sim.close());
        baseUrl = simulator.url;
        credentials ??= { kind: 'client', ...DEMO_CREDENTIALS };
        logger.info({ url: baseUrl }, 'started the built-in Zuora simulator (--env local)');
      } else {
        baseUrl = options.target.baseUrl;
      }
      if (!credentials) {
        throw new RunError(
          'AUTH_FAILED',
          'No credentials: set ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET (OAuth client), or ZUORA_ACCESS_TOKEN.',
        );
      }
      const client = createHttpClient({ maxSockets: options.concurrency, userAgent: deps.userAgent ?? 'zuora-usage-update' });
      cleanups.push(() => closeHttpClient(client));
      const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: options.maxAttempts };
      const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
      const tokens = createTokenProvider({
        credentials,
        baseUrl,
        client,
        timeoutMs: options.timeoutMs,
        policy,
        logger: logger.child({ stage: 'auth' }),
        now,
        sleep,
        random: deps.random,
      });
      tokenRequests = () => tokens.tokenRequests;
      // Client credentials are checked before any row is sent: refused ones are exit 1, nothing sent.
      if (credentials.kind === 'client') await tokens.token();
      const ctx: PutContext = {
        client,
        baseUrl,
        tokens,
        extraHeaders: extraHeaders(options),
        gzip: options.gzip,
        rejectUnknownFields: options.rejectUnknownFields,
        timeoutMs: options.timeoutMs,
        policy,
        throttle: createThrottle({ now, sleep }),
        logger: logger.child({ stage: 'send' }),
        sleep,
        random: deps.random,
        now,
      };
      put = (update) => putUsage(update, ctx);
    }

    const writer = await createResultsWriter({
      outPath: options.out,
      failuresPath: options.failures,
      header,
      delimiter: table.delimiter,
      bom: table.bom,
    });

    const stop = new AbortController();
    let stopReason: string | undefined;
    const stopEarly = (reason: string): void => {
      if (stopReason !== undefined) return;
      stopReason = reason;
      logger.error({ reason }, 'stopping early: no new rows will be sent; in-flight rows finish');
      stop.abort();
    };
    const signal = deps.signal ? AbortSignal.any([stop.signal, deps.signal]) : stop.signal;

    let done = 0;
    let notUpdated = 0;
    let answered = 0;
    let requests = 0;
    const record = (outcome: RowOutcome): void => {
      writer.add(outcome);
      done++;
      if (outcome.result !== 'updated' && outcome.result !== 'valid') notUpdated++;
      progress.tick({ done, failed: notUpdated, bytesRead: table.bytesRead() });
    };

    const rowsToSend = async function* (): AsyncGenerator<SendItem> {
      for await (const input of table.records) {
        const cells = kept.map((i) => input.cells[i] ?? '');
        const base = { seq: input.seq, line: input.line, cells, attempts: 0 };
        if (input.parseError !== undefined) {
          record({ ...base, id: (input.cells[columns.idIndex] ?? '').trim(), result: 'invalid', errorCode: 'MALFORMED_RECORD', errorMessage: `line ${input.line}: ${input.parseError}` });
          continue;
        }
        const mapped = mapRow(input.cells, columns, { dateFormat: options.dateFormat });
        if (!mapped.ok) {
          record({ ...base, id: mapped.id, result: 'invalid', errorCode: 'INVALID_ROW', errorMessage: mapped.message });
          continue;
        }
        if (!put) {
          record({ ...base, id: mapped.id, result: 'valid' });
          continue;
        }
        yield { seq: input.seq, line: input.line, cells, update: { id: mapped.id, body: mapped.body, trackId: `${options.trackPrefix}-${input.line}` } };
        if (signal.aborted) return;
      }
    };

    if (put) {
      const send = put;
      await sendUpdates(rowsToSend(), {
        concurrency: options.concurrency,
        put: send,
        hasRoom: () => writer.hasRoom(),
        signal,
        onResult: (item, result) => {
          requests += result.attempts;
          answered++;
          record({
            seq: item.seq,
            line: item.line,
            cells: item.cells,
            id: item.update.id,
            trackId: item.update.trackId,
            ...result,
          });
          if (result.credentialsRefused) {
            stopEarly(`Zuora refused the credentials mid-run (HTTP ${result.httpStatus ?? 401}: ${result.errorMessage ?? 'Authentication error'})`);
          } else if (options.maxFailures && tooManyFailures(options.maxFailures, writer.counts.failed, answered)) {
            stopEarly(`--max-failures reached (${writer.counts.failed} failed of ${answered} answered)`);
          }
        },
      });
    } else {
      for await (const item of rowsToSend()) void item;
    }

    await writer.close();
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
      requests,
      retries: requests - answered,
      tokenRequests: tokenRequests(),
      elapsedMs,
      rowsPerSecond: elapsedMs > 0 ? (rows * 1000) / elapsedMs : 0,
      input: options.input,
      out: options.out,
      failures: options.failures,
      failuresRows: writer.failuresWritten,
      trackPrefix: options.trackPrefix,
      nextStep: nextStep({ status, dryRun: options.dryRun, counts, rerun, input: options.input, out: options.out, failures: options.failures }),
    };
  } finally {
    progress.stop();
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

/** `--max-failures`: a count, or a share of the rows answered so far, counted from the 20th. */
export function tooManyFailures(limit: MaxFailures, failed: number, answered: number): boolean {
  if ('count' in limit) return failed > limit.count;
  return answered >= 20 && (failed * 100) / answered > limit.percent;
}

function extraHeaders(options: RunOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.entityIds) headers['zuora-entity-ids'] = options.entityIds;
  if (options.orgIds) headers['zuora-org-ids'] = options.orgIds;
  if (options.zuoraVersion) headers['zuora-version'] = options.zuoraVersion;
  return headers;
}

/** Input columns echoed in the outputs: all but the result columns of an earlier run. */
function keptIndexes(width: number, columns: ColumnMap): number[] {
  const dropped = new Set(columns.resultColumnIndexes);
  return Array.from({ length: width }, (_, i) => i).filter((i) => !dropped.has(i));
}

function logColumns(logger: Logger, columns: ColumnMap): void {
  logger.info(
    { sent: columns.fields.map((f) => `${f.header} -> ${f.field}`), notSent: columns.ignored, unknownIgnored: columns.unknown },
    'columns',
  );
}
