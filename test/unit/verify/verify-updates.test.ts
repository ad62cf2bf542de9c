import { describe, expect, it } from 'vitest';
import type { ReadBatch } from '../../../src/read/query-usage.js';
import type { UsageFields } from '../../../src/rows/map-row.js';
import type { SendItem, Transport } from '../../../src/send/transport.js';
import type { SendResult } from '../../../src/send/zuora-call.js';
import { createVerifier, type VerifyVerdict } from '../../../src/verify/verify-updates.js';
import { usageId } from '../../helpers/generate.js';

const ID = '8ad00000000000000000000000000001';

/** A transport that answers with `send` (no HTTP). */
const fake = (send: Transport['send']): Transport => ({ send, rowsInFlight: 1, rowsAdmitted: 4, inputEnded: () => {} });

/** A tenant of one record that the fake put changes and the fake read reads (no HTTP: the verifier's own rules). */
function harness(options: { ignore?: string; refuse?: (fields: UsageFields) => SendResult | undefined; batchSize?: number } = {}) {
  const record: Record<string, string> = { Id: ID, Quantity: '1', UOM: 'GB', RbeStatus: 'Pending' };
  const settled: Array<[number, string, string | undefined, VerifyVerdict]> = [];
  const readIds: string[][] = [];
  const verifier = createVerifier({
    read: async (ids): Promise<ReadBatch> => {
      readIds.push(ids);
      const call = { trackId: `t-q${readIds.length}` };
      return { ok: true, last: call, records: new Map([[ID, { record: { ...record }, call }]]) };
    },
    onSettled: (item, result, verdict) => settled.push([item.seq, result.result, result.errorCode, verdict]),
    lingerMs: 60_000,
    batchSize: options.batchSize,
  });
  const transport = verifier.track(
    fake(async ({ update }): Promise<SendResult> => {
      const refused = options.refuse?.(update.fields);
      if (refused) return refused;
      for (const [field, value] of Object.entries(update.fields)) if (field !== options.ignore) record[field] = value;
      return { result: 'updated', attempts: 1 };
    }),
  );
  const item = (seq: number, fields: UsageFields): SendItem => ({ seq, line: seq + 2, cells: [], update: { id: ID, fields, trackId: `t-${seq}` } });
  const send = async (one: SendItem): Promise<void> => verifier.answered(one, await transport.send(one));
  return { verifier, settled, readIds, send, item, record };
}

describe('verifier', () => {
  it('a later row of the Id sent before the read-back leaves its fields out of the earlier row check', async () => {
    const h = harness();
    await h.send(h.item(0, { Quantity: '5', UOM: 'MB' }));
    await h.send(h.item(1, { Quantity: '6' }));
    await h.verifier.close();
    expect(h.readIds).toEqual([[ID]]);
    expect(h.settled).toEqual([
      [0, 'updated', undefined, 'verified'],
      [1, 'updated', undefined, 'verified'],
    ]);
  });

  it.each<[string, SendResult]>([
    ['refused', { result: 'failed', attempts: 1, httpStatus: 400, errorCode: 'INVALID_VALUE' }],
    ['unknown (no answer)', { result: 'unknown', attempts: 1, errorCode: 'ETIMEDOUT' }],
  ])('a later row that was %s covers nothing: the earlier row is compared on the field, a mismatch when Zuora ignored it', async (_name, later) => {
    const h = harness({ ignore: 'Quantity', refuse: (fields) => (fields.Quantity === '7' ? later : undefined) });
    await h.send(h.item(0, { Quantity: '5' }));
    await h.send(h.item(1, { Quantity: '7' }));
    await h.verifier.close();
    const first = h.settled.find(([seq]) => seq === 0);
    expect(first).toEqual([0, 'failed', 'VERIFY_MISMATCH', 'mismatch']);
    expect(h.verifier.counts).toMatchObject({ verified: 0, mismatches: 1 });
  });

  it('a row read back while a later row of its Id is in flight waits for that row\'s answer before it is judged', async () => {
    let answerLater: (result: SendResult) => void = () => {};
    const h = harness({ ignore: 'Quantity', batchSize: 1 });
    const verifier = h.verifier;
    const transport = verifier.track(fake(async ({ update }) => (update.fields.Quantity === '7' ? new Promise<SendResult>((resolve) => (answerLater = resolve)) : { result: 'updated', attempts: 1 })));
    const first = h.item(0, { Quantity: '5' });
    verifier.answered(first, await transport.send(first));
    const second = h.item(1, { Quantity: '7' });
    const inFlight = transport.send(second);
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.readIds).toEqual([[ID]]);
    // Read back, but the later row may or may not have been applied before the read: not judged yet.
    expect(h.settled).toEqual([]);
    answerLater({ result: 'failed', attempts: 1, httpStatus: 400, errorCode: 'INVALID_VALUE' });
    verifier.answered(second, await inFlight);
    await verifier.close();
    expect(h.settled).toEqual([
      [0, 'failed', 'VERIFY_MISMATCH', 'mismatch'],
      [1, 'failed', 'INVALID_VALUE', 'not-read'],
    ]);
  });

  it('a row whose every field later rows (answered success) set is not counted verified, but apart', async () => {
    const h = harness();
    await h.send(h.item(0, { Quantity: '5' }));
    await h.send(h.item(1, { Quantity: '6' }));
    await h.verifier.close();
    expect(h.settled).toEqual([
      [0, 'updated', undefined, 'not-compared'],
      [1, 'updated', undefined, 'verified'],
    ]);
    expect(h.verifier.counts).toMatchObject({ verified: 1, notCompared: 1, mismatches: 0 });
  });

  it('a field Zuora acknowledged but did not apply is a mismatch naming both values', async () => {
    const h = harness({ ignore: 'UOM' });
    const messages: string[] = [];
    const verifier = createVerifier({
      read: async () => ({ ok: true, last: { trackId: 't-q1' }, records: new Map([[ID, { record: { ...h.record }, call: { trackId: 't-q1' } }]]) }),
      onSettled: (_item, result) => messages.push(result.errorMessage ?? ''),
    });
    await h.send(h.item(0, { Quantity: '5', UOM: 'MB' }));
    await h.verifier.close();
    expect(h.settled).toEqual([[0, 'failed', 'VERIFY_MISMATCH', 'mismatch']]);
    verifier.answered(h.item(0, { Quantity: '5', UOM: 'MB' }), { result: 'updated', attempts: 1 });
    await verifier.close();
    expect(messages).toEqual(['Zuora answered success but holds other values: UOM sent MB, read GB (read back by t-q1)']);
    expect(h.verifier.counts).toMatchObject({ verified: 0, mismatches: 1 });
  });

  it('reads 200 ids a request', async () => {
    const reads: number[] = [];
    const verifier = createVerifier({
      read: async (ids) => {
        reads.push(ids.length);
        return { ok: true, last: { trackId: 'q' }, records: new Map() };
      },
      onSettled: () => {},
      lingerMs: 60_000,
    });
    const transport = verifier.track(fake(async () => ({ result: 'updated', attempts: 1 })));
    for (let i = 0; i < 450; i++) {
      const item: SendItem = { seq: i, line: i + 2, cells: [], update: { id: usageId(i), fields: { Quantity: '1' }, trackId: `t-${i}` } };
      verifier.answered(item, await transport.send(item));
    }
    await verifier.close();
    expect(reads).toEqual([200, 200, 50]);
    expect(verifier.counts.mismatches).toBe(450);
  });
});
