import type { RunSummary } from '../output/summary.js';
import { countRowsPerId } from '../preview/count-rows-per-id.js';
import { previewColumns } from '../preview/preview-columns.js';
import { createQuantityLedger } from '../report/quantity-totals.js';
import { abortableSleep } from '../send/abortable-sleep.js';
import { connectZuora } from './connect-zuora.js';
import { endOfRun } from './end-of-run.js';
import { createInputSigns } from './input-signs.js';
import { mappedRows } from './mapped-rows.js';
import { readAndSend } from './read-and-send.js';
import type { RunContext } from './run-context.js';
import { openRunOutputs } from './run-outputs.js';

/**
 * `--preview`: read -> map -> read each record from Zuora and compare -> write the preview file
 * (`--out` with `before_` columns). Changes nothing: no tenant recorded, no send journal.
 */
export async function previewPipeline(run: RunContext): Promise<RunSummary> {
  const { options, input, state, deps } = run;
  const connected = await connectZuora(run);
  if ('unreachable' in connected) return connected.unreachable;
  const { connection } = connected;
  const outputs = await openRunOutputs(run, { outPath: run.out, failuresPath: undefined, extra: previewColumns(input.keptColumns, input.columns.fields), connection });
  // Quantities per unit and per account (the summary and the report).
  const ledger = createQuantityLedger();
  const signs = createInputSigns(input.columns, input.table.delimiter);
  const mapped = mappedRows(run.records, { ...input, options, stopSignal: state.stopSignal, record: outputs.record, signs });
  // The rows of each Id, counted first, so that the preview keeps nothing of an Id after its last row.
  const rowsPerId = await countRowsPerId(options.input, { delimiter: options.delimiter, encoding: options.encoding }, input.columns.idIndex, state.stopSignal);
  deps.report?.start({
    ledger,
    requests: () => ({ updates: connection.requests, reads: connection.reader.requests, tokens: connection.tokens.tokenRequests, pauses: connection.pauses }),
  });
  const sent = await readAndSend(mapped, connection, options, state, {
    record: outputs.record,
    room: outputs.writer,
    fields: input.fields,
    backup: undefined,
    rowsPerId,
    clock: { now: run.now, sleep: deps.sleep ?? abortableSleep },
    ledger,
  });
  await outputs.writer.close();
  return endOfRun(run, outputs, signs, {
    keptFromEarlierRun: 0,
    ...sent,
    requests: connection.requests,
    tokenRequests: connection.tokens.tokenRequests,
    readRequests: connection.reader.requests,
    quantities: ledger.totals(),
    pauses: connection.pauses,
  });
}
