import type { Logger } from 'pino';
import type { RunOptions } from '../options.js';
import type { RunSummary } from '../output/summary.js';
import { buildSummary, type SummaryFacts } from './build-summary.js';
import type { InputSigns } from './input-signs.js';
import type { RunContext } from './run-context.js';
import type { RunOutputs } from './run-outputs.js';

/** What a pipeline adds to the facts the outputs and the run state hold. */
export type PipelineFacts = Omit<SummaryFacts, 'status' | 'stopReason' | 'stopKind' | 'counts' | 'failuresRows' | 'errorCounts' | 'records' | 'startedAt' | 'endedAt' | 'quantityTimes1000' | 'warnings' | 'decimalCommaSigns'>;

/**
 * The summary of a run whose results writer has closed: the progress display stops, and a stopped
 * run's records are counted to the end, so the summary can say how many it never reached.
 */
export async function endOfRun(run: RunContext, outputs: RunOutputs, signs: InputSigns, facts: PipelineFacts): Promise<RunSummary> {
  const { state, options, deps } = run;
  outputs.progress.stop();
  if (state.status !== 'completed') await run.records.drain(deps.logger);
  return buildSummary(
    {
      status: state.status,
      stopReason: state.stop?.reason,
      stopKind: state.stop?.kind,
      counts: outputs.writer.counts,
      failuresRows: outputs.writer.failuresWritten,
      errorCounts: outputs.errors.counts(),
      ...facts,
      records: run.records.count(),
      ...spreadsheetFacts(signs, options, outputs.times1000(), deps.logger),
      startedAt: run.startedAt,
      endedAt: run.now(),
    },
    options,
  );
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
export function unreachableAtStart(reason: string, records: number, options: RunOptions, startedAt: number, endedAt: number): RunSummary {
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
