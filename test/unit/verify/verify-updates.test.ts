import { describe, expect, it } from 'vitest';
import type { ReadBatch } from '../../../src/read/query-usage.js';
import type { PutResult, UsageUpdate } from '../../../src/send/put-usage.js';
import type { SendItem } from '../../../src/send/send-updates.js';
import { createVerifier, type VerifyVerdict } from '../../../src/verify/verify-updates.js';

const ID = '8ad00000000000000000000000000001';

/** A tenant of one record that the fake put changes and the fake read reads (no HTTP: the verifier's own rules). */
function harness(options: { ignore?: string } = {}) {
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
  });
  const put = verifier.track(async (update: UsageUpdate): Promise<PutResult> => {
    for (const [field, value] of Object.entries(JSON.parse(update.body) as Record<string, unknown>)) if (field !== options.ignore) record[field] = String(value);
    return { result: 'updated', attempts: 1 };
  });
  const item = (seq: number, body: string): SendItem => ({ seq, line: seq + 2, cells: [], update: { id: ID, body, trackId: `t-${seq}` } });
  const send = async (one: SendItem): Promise<void> => verifier.answered(one, await put(one.update));
  return { verifier, settled, readIds, send, item, record };
}

describe('verifier', () => {
  it('a later row of the Id sent before the read-back leaves its fields out of the earlier row check', async () => {
    const h = harness();
    await h.send(h.item(0, '{"Quantity":5,"UOM":"MB"}'));
    await h.send(h.item(1, '{"Quantity":6}'));
    await h.verifier.close();
    expect(h.readIds).toEqual([[ID]]);
    expect(h.settled).toEqual([
      [0, 'updated', undefined, 'verified'],
      [1, 'updated', undefined, 'verified'],
    ]);
  });

  it('a field Zuora acknowledged but did not apply is a mismatch naming both values', async () => {
    const h = harness({ ignore: 'UOM' });
    const messages: string[] = [];
    const verifier = createVerifier({
      read: async () => ({ ok: true, last: { trackId: 't-q1' }, records: new Map([[ID, { record: { ...h.record }, call: { trackId: 't-q1' } }]]) }),
      onSettled: (_item, result) => messages.push(result.errorMessage ?? ''),
    });
    await h.send(h.item(0, '{"Quantity":5,"UOM":"MB"}'));
    await h.verifier.close();
    expect(h.settled).toEqual([[0, 'failed', 'VERIFY_MISMATCH', 'mismatch']]);
    verifier.answered(h.item(0, '{"Quantity":5,"UOM":"MB"}'), { result: 'updated', attempts: 1 });
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
    const put = verifier.track(async () => ({ result: 'updated', attempts: 1 }));
    for (let i = 0; i < 450; i++) {
      const update = { id: `8ad0${String(i).padStart(28, '0')}`, body: '{"Quantity":1}', trackId: `t-${i}` };
      verifier.answered({ seq: i, line: i + 2, cells: [], update }, await put(update));
    }
    await verifier.close();
    expect(reads).toEqual([200, 200, 50]);
    expect(verifier.counts.mismatches).toBe(450);
  });
});
