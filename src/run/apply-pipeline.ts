import { openBackup } from '../backup/backup-file.js';
import type { RunSummary } from '../output/summary.js';
import { countRowsPerId, estimatedRows } from '../preview/count-rows-per-id.js';
import { createRunQuantities, type RunQuantities } from '../report/run-quantities.js';
import { startResumeStage } from '../resume/resume-stage.js';
import { abortableSleep } from '../send/abortable-sleep.js';
import { connectZuora } from './connect-zuora.js';
import { endOfRun } from './end-of-run.js';
import { createInputSigns } from './input-signs.js';
import { mappedRows } from './mapped-rows.js';
import { readAndSend } from './read-and-send.js';
import type { RunContext } from './run-context.js';
import { openRunOutputs } from './run-outputs.js';

/** Stages of the applying run that a test may replace, to inject a failure or to look at the files between two steps. */
export interface ApplyStages {
  /** Opens the results writer (truncating the results file) and the progress display. */
  openOutputs: typeof openRunOutputs;
  /** Everything that talks to Zuora: back up, send, verify. */
  send: typeof readAndSend;
}

const STAGES: ApplyStages = { openOutputs: openRunOutputs, send: readAndSend };

/**
 * The run that changes Zuora: read -> map -> resume (keep what an earlier run recorded; journal the
 * rest) -> (back up, skip unchanged) -> send (-> verify) -> write the results and failures.
 */
export async function applyPipeline(run: RunContext, replaced: Partial<ApplyStages> = {}): Promise<RunSummary> {
  const stages = { ...STAGES, ...replaced };
  const { options, input, state, deps } = run;
  // Opened before connecting, so a backup that would be overwritten stops the run before anything is sent.
  const backup = options.backup === undefined ? undefined : await openBackup(options.backup, { fields: input.fields, delimiter: input.table.delimiter, resume: options.resume, decimalComma: options.decimalComma, expectedIds: estimatedRows(options.input) });
  if (backup) run.onExit(() => backup.close());
  const connected = await connectZuora(run);
  if ('unreachable' in connected) return connected.unreachable;
  const { connection } = connected;
  const resume = await startResumeStage(options, run.out, { header: input.header, keptColumns: input.keptColumns, idIndex: input.columns.idIndex }, run.startedAt, deps.logger);
  run.onExit(() => resume.close());
  // A run with --backup and --report adds up the quantities it read and the rows Zuora answered updated.
  let runQuantities: RunQuantities | undefined;
  const outputs = await stages.openOutputs(run, { outPath: resume.outPath, failuresPath: options.failures, connection, quantities: () => runQuantities });
  await resume.resultsOpened();

  const signs = createInputSigns(input.columns, input.table.delimiter);
  const mapping = resume.mapping(outputs.record);
  const mapped = mappedRows(run.records, { ...input, options, stopSignal: state.stopSignal, record: mapping.record, onValid: mapping.onValid, signs });
  const rows = resume.keepRecorded(mapped, outputs.record);
  // --skip-unchanged, and a report of a backed-up run, count the rows of each Id first, so that they keep nothing of an Id after its last row.
  const countIds = options.skipUnchanged === true || (deps.report !== undefined && backup !== undefined);
  const rowsPerId = countIds ? await countRowsPerId(options.input, { delimiter: options.delimiter, encoding: options.encoding }, input.columns.idIndex, state.stopSignal) : undefined;
  if (deps.report && backup && rowsPerId) runQuantities = createRunQuantities(rowsPerId);
  deps.report?.start({
    ledger: runQuantities,
    requests: () => ({ updates: connection.requests, reads: connection.reader.requests, tokens: connection.tokens.tokenRequests, pauses: connection.pauses }),
  });
  const sent = await stages.send(rows, connection, options, state, {
    record: outputs.record,
    room: outputs.writer,
    fields: input.fields,
    backup,
    rowsPerId,
    beforeSend: resume.beforeSend,
    clock: { now: run.now, sleep: deps.sleep ?? abortableSleep },
    runQuantities,
  });

  await backup?.close();
  await outputs.writer.close();
  await resume.finish(state.status === 'completed', run.now());
  return endOfRun(run, outputs, signs, {
    keptFromEarlierRun: resume.kept,
    ...sent,
    requests: connection.requests,
    tokenRequests: connection.tokens.tokenRequests,
    readRequests: connection.reader.requests,
    pauses: connection.pauses,
    backup: backup && options.backup !== undefined ? { path: options.backup, ids: backup.size } : undefined,
  });
}
