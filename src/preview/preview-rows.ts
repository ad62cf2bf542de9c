import type { RowOutcome } from '../row-outcome.js';
import { addDecimals, formatDecimal, type Decimal } from '../read/compare.js';
import type { ReadBatch } from '../read/query-usage.js';
import { readAhead } from '../read/read-ahead.js';
import type { IdTable } from '../resume/id-table.js';
import type { SendItem } from '../send/transport.js';
import type { QuantityLedger } from '../report/quantity-totals.js';
import { createPreviewJudge, type PreviewQuantityOptions } from './judge-preview.js';

export interface PreviewOptions {
  /** Updatable fields the input has a column for, in input order: the `before_<Field>` columns. */
  fields: readonly string[];
  /** Reads up to 200 ids (the run's UsageReader with this input's fields). */
  read(ids: string[]): Promise<ReadBatch>;
  /** Each previewed row's outcome, with its `before_` cells and its `changes` cell as `extraCells`. */
  record(outcome: RowOutcome): void;
  signal?: AbortSignal;
  /** The input's rows per Id (countRowsPerId): the judge forgets an Id after its last row. */
  rowsPerId?: IdTable;
  /** `--allow-times-1000` and `--decimal-comma`. */
  quantities?: PreviewQuantityOptions;
  /** Adds up quantities per unit and per account, before and after (the summary and the report). */
  ledger?: QuantityLedger;
}

/**
 * `--preview`: reads every valid row's record in batches of 200 and says what a real run would do to
 * it, without sending any update. Returns the total quantity change (new minus old, summed over the
 * `would-update` rows) as a plain decimal.
 */
export async function previewRows(rows: AsyncIterable<SendItem>, options: PreviewOptions): Promise<{ quantityChange: string }> {
  const judge = createPreviewJudge(options.fields, options.rowsPerId, options.quantities);
  let total: Decimal = { units: 0n, scale: 0 };
  const stream = readAhead(rows, { idOf: (item) => (judge.needsRead(item.update.id) ? item.update.id : undefined), read: options.read, signal: options.signal });
  for await (const { item, read: result } of stream) {
    // The run stopped before this read went out: the row was never reached.
    if (result?.kind === 'failed' && result.failure.notSent) continue;
    if (result?.kind === 'found') options.ledger?.read(result.record);
    const verdict = judge.judge(item.update.id, item.update.fields, result, item.line);
    if (verdict.quantityChange) total = addDecimals(total, verdict.quantityChange);
    if (verdict.transition) options.ledger?.change({ line: item.line, id: item.update.id, ...verdict.transition });
    options.record({
      seq: item.seq,
      line: item.line,
      cells: item.cells,
      id: item.update.id,
      result: verdict.result,
      errorCode: verdict.errorCode,
      errorMessage: verdict.errorMessage,
      httpStatus: verdict.call?.httpStatus,
      attempts: 0,
      trackId: verdict.call?.trackId,
      requestId: verdict.call?.requestId,
      extraCells: [...verdict.before, verdict.changes ?? ''],
    });
  }
  return { quantityChange: formatDecimal(total) };
}
