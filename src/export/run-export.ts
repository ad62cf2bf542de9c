/**
 * `zuora-usage-update export`: usage records from Zuora written as this tool's input file, ready to
 * edit and apply (SPEC "Export and difference-only apply"). query pages -> sorted runs -> merge ->
 * a temporary file -> renamed to `-o` once whole.
 */

import { createWriteStream } from 'node:fs';
import { lstat, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { EXIT, RunError } from '../errors.js';
import { csvLine } from '../output/csv-line.js';
import type { WaitEffects } from '../send/abortable-sleep.js';
import { connect, type ConnectOptions, type Connection } from '../send/connect.js';
import { exportHeader, exportQueries, type ExportFilters } from './export-query.js';
import { exportCells, exportSortKey } from './export-row.js';
import { createExternalSorter } from './external-sort.js';

/** Everything one export needs, validated by the CLI edge. */
export interface ExportOptions extends ConnectOptions {
  /** The export file (`-o`). */
  out: string;
  /** Replace an existing file at `out` (otherwise it is refused before any request). */
  overwrite: boolean;
  filters: ExportFilters;
  /** `,` by default; `;` with `--decimal-comma` unless `--delimiter` says otherwise. */
  delimiter: string;
  /** Quantities written with a decimal comma (`42,5`). */
  decimalComma: boolean;
  /** Where the sort's run files go. Default: the system's temporary folder. */
  sortFolder?: string;
  /** Rows per sorted run (external-sort.ts). */
  runSize?: number;
}

/** What an export reports as it goes; the CLI shows it on a terminal only. */
export interface ExportProgress {
  tick(state: { records: number; pages: number }): void;
  stop(): void;
}

export interface ExportDeps extends WaitEffects {
  logger: Logger;
  /** SIGINT/SIGTERM: the export stops, writes nothing under `out`. */
  signal?: AbortSignal;
  progress?: ExportProgress;
  userAgent?: string;
}

/** How an export ended. */
export interface ExportSummary {
  status: 'completed' | 'stopped' | 'interrupted';
  /** Why it stopped (a page that failed after its retries). */
  stopReason?: string;
  exitCode: number;
  out: string;
  records: number;
  /** Query and queryMore answers read. */
  pages: number;
  /** Queries run: one per account. */
  queries: number;
  /** Query and queryMore requests sent, retries included. */
  requests: number;
  tokenRequests: number;
  /** Sorted runs written to temporary files (0: sorted in memory). */
  sortRuns: number;
  startedAt: number;
  endedAt: number;
}

/** Refuses an existing file at `-o` unless `--overwrite`, and a folder always: before any request. */
export async function checkExportOut(out: string, overwrite: boolean): Promise<void> {
  let stats;
  try {
    stats = await lstat(out);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new RunError('OUTPUT_UNWRITABLE', `Cannot check -o ${out}: ${(error as Error).message}`, { cause: error });
  }
  if (stats.isDirectory()) throw new RunError('BAD_OPTION', `-o ${out} is a folder; give a file name, e.g. -o ${join(out, 'usage.csv')}`);
  if (!overwrite) throw new RunError('BAD_OPTION', `-o ${out} already exists; it was left unchanged. Choose another file, or pass --overwrite to replace it.`);
}

/** One export; a run failure (bad option, refused credentials before the first page) is thrown as RunError. */
export async function runExport(options: ExportOptions, deps: ExportDeps): Promise<ExportSummary> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const { logger } = deps;
  await checkExportOut(options.out, options.overwrite);
  const stop = new AbortController();
  const onInterrupt = (): void => stop.abort();
  deps.signal?.addEventListener('abort', onInterrupt, { once: true });
  const sorter = await createExternalSorter({ parent: options.sortFolder ?? tmpdir(), runSize: options.runSize });
  const partial = join(dirname(options.out), `.${basename(options.out)}.${process.pid}.partial`);
  let connection: Connection | undefined;
  let records = 0;
  let pages = 0;
  let stopReason: string | undefined;
  let renamed = false;
  try {
    connection = await connect(options, { logger, stopSignal: stop.signal, abandonSignal: stop.signal, now, sleep: deps.sleep, random: deps.random, userAgent: deps.userAgent });
    const queries = exportQueries(options.filters);
    for (const query of queries) {
      if (stop.signal.aborted) break;
      logger.debug({ query }, 'export query');
      const answer = await connection.reader.queryPages(
        query,
        async (page) => {
          pages++;
          for (const record of page) {
            await sorter.add(exportSortKey(record), exportCells(record, options.filters.fields, options.decimalComma));
            records++;
          }
          deps.progress?.tick({ records, pages });
        },
        'x',
      );
      if (answer.ok) continue;
      if (answer.notSent) break;
      if (answer.credentialsRefused && pages === 0) {
        throw new RunError('AUTH_FAILED', `Zuora refused the credentials: ${answer.errorMessage}. Nothing was exported.`);
      }
      stopReason = `a query page failed after its retries (${answer.errorCode}: ${answer.errorMessage}; track id ${answer.call.trackId}); nothing was written to ${options.out}`;
      logger.error({ code: answer.errorCode, trackId: answer.call.trackId }, stopReason);
      break;
    }
    const interrupted = deps.signal?.aborted === true;
    if (stopReason === undefined && !interrupted) {
      await writeSorted(partial, sorter.sorted(), options, stop.signal);
      if (!stop.signal.aborted) {
        await rename(partial, options.out);
        renamed = true;
      }
    }
    const status = deps.signal?.aborted ? 'interrupted' : stopReason !== undefined ? 'stopped' : 'completed';
    return {
      status,
      ...(stopReason === undefined ? {} : { stopReason }),
      exitCode: status === 'completed' ? EXIT.ok : status === 'interrupted' ? EXIT.interrupted : EXIT.stoppedEarly,
      out: options.out,
      records,
      pages,
      queries: queries.length,
      requests: connection.reader.requests,
      tokenRequests: connection.tokens.tokenRequests,
      sortRuns: sorter.runs,
      startedAt,
      endedAt: now(),
    };
  } finally {
    deps.signal?.removeEventListener('abort', onInterrupt);
    deps.progress?.stop();
    if (!renamed) await rm(partial, { force: true });
    await sorter.close();
    await connection?.close();
  }
}

/** The export file: UTF-8 with BOM (so Excel reads it as UTF-8), the header, the rows in order, CRLF. */
async function writeSorted(path: string, rows: AsyncIterable<string[]>, options: ExportOptions, signal: AbortSignal): Promise<void> {
  const out = createWriteStream(path, { flags: 'wx' });
  const closed = once(out, 'close');
  const crlf = (cells: readonly string[]): string => `${csvLine(cells, options.delimiter).slice(0, -1)}\r\n`;
  try {
    out.write(`\uFEFF${crlf(exportHeader(options.filters.fields))}`);
    for await (const cells of rows) {
      if (signal.aborted) break;
      if (!out.write(crlf(cells))) await once(out, 'drain');
    }
  } catch (error) {
    out.destroy();
    await closed.catch(() => undefined);
    throw new RunError('OUTPUT_UNWRITABLE', `Cannot write the export ${options.out}: ${(error as Error).message}`, { cause: error });
  }
  out.end();
  await closed;
}

/** The summary block on stderr at the end of an export. */
export function formatExportSummary(summary: ExportSummary): string {
  const seconds = Math.max(0, summary.endedAt - summary.startedAt) / 1000;
  const rate = seconds > 0 ? Math.round(summary.records / seconds) : summary.records;
  const lines = [
    '',
    `Export ${summary.status === 'completed' ? 'finished' : summary.status === 'interrupted' ? 'interrupted' : 'stopped'}`,
    `  records     ${summary.records}`,
    `  pages       ${summary.pages} (${summary.queries} ${summary.queries === 1 ? 'query' : 'queries'})`,
    `  requests    ${summary.requests} queries and queryMore, ${summary.tokenRequests} token`,
    `  time        ${seconds.toFixed(1)} s (${rate} records/s)`,
  ];
  if (summary.status === 'completed') {
    lines.push(`  file        ${summary.out}`);
    lines.push(`  next step   edit the cells to correct, then: zuora-usage-update ${summary.out} --preview, and apply with --skip-unchanged --backup <file> --verify`);
  } else {
    lines.push(`  file        none written${summary.stopReason ? `: ${summary.stopReason}` : ''}`);
    lines.push('  next step   run the same export again');
  }
  return `${lines.join('\n')}\n`;
}
