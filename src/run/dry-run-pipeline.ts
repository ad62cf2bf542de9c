import type { RunSummary } from '../output/summary.js';
import { endOfRun } from './end-of-run.js';
import { createInputSigns } from './input-signs.js';
import { mappedRows } from './mapped-rows.js';
import type { RunContext } from './run-context.js';
import { openRunOutputs } from './run-outputs.js';
import { dryRun } from './send-rows.js';

/** `--dry-run`: read -> map -> record each valid row `valid`. Nothing is sent, no side file is written. */
export async function dryRunPipeline(run: RunContext): Promise<RunSummary> {
  const { options, input, state } = run;
  const outputs = await openRunOutputs(run, { outPath: run.out, failuresPath: options.failures });
  const signs = createInputSigns(input.columns, input.table.delimiter);
  const mapped = mappedRows(run.records, { ...input, options, stopSignal: state.stopSignal, record: outputs.record, signs });
  run.deps.report?.start({ ledger: undefined, requests: undefined });
  const sent = await dryRun(mapped, outputs.record);
  await outputs.writer.close();
  return endOfRun(run, outputs, signs, { keptFromEarlierRun: 0, ...sent, requests: 0, tokenRequests: 0 });
}
