import { backUpBeforeUpdate } from '../backup/back-up-before-update.js';
import type { BackupFile } from '../backup/backup-file.js';
import type { RunOptions } from '../options.js';
import { estimatedRows } from '../preview/count-rows-per-id.js';
import { previewRows } from '../preview/preview-rows.js';
import type { QuantityLedger } from '../report/quantity-totals.js';
import type { RunQuantities } from '../report/run-quantities.js';
import type { ReadBatch, ReadCall, UsageReader } from '../read/query-usage.js';
import { createTimes1000Tracker } from '../read/times-1000.js';
import { fieldsToRead } from '../read/usage-query.js';
import type { IdTable } from '../resume/id-table.js';
import type { RowOutcome } from '../row-outcome.js';
import type { Connection } from '../send/connect.js';
import type { Room } from '../send/room.js';
import { withSend, type Transport, type SendItem } from '../send/transport.js';
import type { RunState } from './run-state.js';
import { recordAnswer, sendRows, type SendCounts, type SendStage } from './send-rows.js';
import { watchIdsInDoubt, type DoubtCounts } from './ids-in-doubt.js';
import { createSkipUnchanged } from '../skip/skip-unchanged.js';
import { createStopPolicy, type StopPolicy } from './stop-policy.js';
import type { Sleep } from '../send/abortable-sleep.js';
import { verifySentRows } from './verify-sent-rows.js';

/** What the stages after the mapping report: the send stage's counters, and those of preview and verify. */
export interface SentFacts extends SendCounts {
  /** `--preview`: the total quantity change over the `would-update` rows. */
  quantityChange?: string;
  /** `--verify`: what the read-backs found. */
  verify?: { verified: number; mismatches: number; notVerified: number; verifiedAfterUnknown: number; notCompared: number };
  /** Ids whose last row was answered after an earlier request of the Id got no answer (SPEC "An Id in doubt"). */
  inDoubt?: DoubtCounts;
  /** `--skip-unchanged`: rows not sent because Zuora already held their values. */
  skippedUnchanged?: number;
}

/**
 * The stages that talk to Zuora: `--preview` reads in place of sending (as the dry run validates in
 * place of sending); otherwise `--backup` reads ahead of the send stage and `--verify` reads behind it.
 * Every read and every answer goes through one stop policy.
 */
export async function readAndSend(
  rows: AsyncIterable<SendItem>,
  connection: Connection,
  options: RunOptions,
  state: RunState,
  outputs: {
    record: (outcome: RowOutcome) => void;
    room: Room;
    fields: readonly string[];
    backup: BackupFile | undefined;
    rowsPerId?: IdTable;
    /** Called synchronously before a row goes to the transport (the send journal writes its entry). */
    beforeSend?: (item: SendItem) => void;
    /** The run's clock and sleep, for `--settle`'s wait. */
    clock: { now: () => number; sleep: Sleep };
    /** `--preview`: the quantity totals per unit and per account. */
    ledger?: QuantityLedger;
    /** `--backup` with `--report`: the quantities backed up and as the updated rows leave them. */
    runQuantities?: RunQuantities;
  },
): Promise<SentFacts> {
  const { record, backup } = outputs;
  const policy = createStopPolicy(options);
  // Quantity totals (a preview, a backup with a report) read the quantity and its unit: they are per unit of measure.
  const readFields = options.preview || outputs.runQuantities ? [...outputs.fields, 'Quantity', 'UOM'] : outputs.fields;
  const read = readStopping(connection.reader, fieldsToRead(readFields, { accountNumber: options.report !== undefined }), state, policy);
  if (options.preview) {
    const quantities = { allowTimes1000: options.allowTimes1000, decimalComma: options.decimalComma };
    const { quantityChange } = await previewRows(rows, { fields: outputs.fields, read, record, signal: state.stopSignal, rowsPerId: outputs.rowsPerId, quantities, ledger: outputs.ledger });
    return { rowAttempts: 0, answered: 0, quantityChange };
  }
  // --skip-unchanged keeps what the reads find; with --backup, the backup's read serves both.
  const skip = options.skipUnchanged ? createSkipUnchanged({ rowsPerId: outputs.rowsPerId }) : undefined;
  const notSent = (item: SendItem, { errorCode, errorMessage, call }: { errorCode: string; errorMessage: string; call: ReadCall }): void =>
    record({ seq: item.seq, line: item.line, cells: item.cells, id: item.update.id, result: 'failed', attempts: 0, errorCode, errorMessage, ...call });
  const { runQuantities } = outputs;
  const backupRead = runQuantities ? readNoting(read, runQuantities) : read;
  const backedUp = backup
    ? backUpBeforeUpdate(rows, {
        backup,
        read: skip ? skip.capture(backupRead) : backupRead,
        onWriteError: (error) => state.stopEarly({ reason: error.message, kind: 'output' }),
        signal: state.stopSignal,
        refuse: options.allowTimes1000 ? undefined : times1000Refusal(record, options),
        // Not sent because its record could not be read (and backed up): the read call's ids.
        onNotSent: notSent,
      })
    : rows;
  // Without a backup, the skip's own read shows a quantity a spreadsheet multiplied by 1000.
  const refuse = backup || options.allowTimes1000 ? undefined : times1000Refusal(record, options);
  const judged = skip ? skip.readFirst(backedUp, { read: skip.capture(read), onNotSent: notSent, refuse, signal: state.stopSignal }) : backedUp;
  const { transport } = connection;
  const { beforeSend } = outputs;
  const journaled: Transport = beforeSend
    ? withSend(transport, (item) => {
        beforeSend(item);
        return transport.send(item);
      })
    : transport;
  const direct: SendStage = { transport: journaled, settle: recordAnswer(record), room: outputs.room };
  // Behind the send stage and before verify's: a row verified before its Id's late request could land is still in doubt.
  const doubt = watchIdsInDoubt(direct, {
    settleMs: options.settleSeconds === undefined ? undefined : options.settleSeconds * 1000,
    read,
    resend: transport.send,
    ...outputs.clock,
    signal: state.stopSignal,
  });
  const verify = options.verify ? verifySentRows(doubt, read, state, policy) : undefined;
  const stage = verify ?? doubt;
  // Outermost: a row that changes nothing is answered before the journal, verify or the transport see it.
  const outer: SendStage = { ...stage, transport: skip ? skip.wrap(stage.transport) : stage.transport, taken: doubt.taken };
  const sent = await sendRows(runQuantities ? noteSent(judged, runQuantities) : judged, outer, options, state, policy);
  await verify?.close();
  await doubt.close();
  return { ...sent, ...(verify ? { verify: { ...verify.counts } } : {}), inDoubt: { ...doubt.counts }, ...(skip ? { skippedUnchanged: skip.skipped } : {}) };
}

/**
 * Holds back, as `invalid` with `QUANTITY_TIMES_1000`, a row whose Quantity is exactly 1000 × what
 * Zuora holds (as the earlier rows of its Id leave it): the read for the backup shows it.
 */
function times1000Refusal(record: (outcome: RowOutcome) => void, options: RunOptions): (item: SendItem, read: Readonly<Record<string, string>> | undefined) => boolean {
  // Room for the input's Ids from the start: a table grown by half as Ids come holds its old arrays until a full collection.
  const tracker = createTimes1000Tracker({ decimalComma: options.decimalComma, expectedIds: estimatedRows(options.input) });
  return (item, read) => {
    const refusal = tracker.judge(item.update.id, item.update.fields, read);
    if (!refusal) return false;
    record({ seq: item.seq, line: item.line, cells: item.cells, id: item.update.id, result: 'invalid', attempts: 0, ...refusal });
    return true;
  };
}

/** A read whose records found are noted by the run's quantity totals (the values before the run). */
function readNoting(read: (ids: string[]) => Promise<ReadBatch>, quantities: RunQuantities): (ids: string[]) => Promise<ReadBatch> {
  return async (ids) => {
    const batch = await read(ids);
    if (batch.ok) for (const id of ids) {
      const found = batch.records.get(id);
      if (found) quantities.read(found.record);
    }
    return batch;
  };
}

/** Rows on their way to the transport, noted with the fields they carry. */
async function* noteSent(rows: AsyncIterable<SendItem>, quantities: RunQuantities): AsyncGenerator<SendItem> {
  for await (const item of rows) {
    quantities.sent(item);
    yield item;
  }
}

/** Reads this input's fields of up to 200 ids; a failed read is shown to the stop policy (refused credentials, unreachable Zuora). */
function readStopping(reader: UsageReader, fields: readonly string[], state: RunState, policy: StopPolicy): (ids: string[]) => Promise<ReadBatch> {
  return async (ids) => {
    const batch = await reader.read(ids, fields);
    const stop = batch.ok ? undefined : policy.afterReadFailure(batch);
    if (stop) state.stopEarly(stop);
    return batch;
  };
}
