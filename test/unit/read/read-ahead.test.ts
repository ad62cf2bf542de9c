import { describe, expect, it } from 'vitest';
import type { ReadBatch } from '../../../src/read/query-usage.js';
import { readAhead } from '../../../src/read/read-ahead.js';
import { usageId } from '../../helpers/generate.js';

async function* source(ids: string[]): AsyncGenerator<string> {
  for (const value of ids) yield value;
}

/** A read that finds every id except those listed, recording each call's ids. */
function reader(missing: Set<string> = new Set()) {
  const calls: string[][] = [];
  const read = async (ids: string[]): Promise<ReadBatch> => {
    calls.push(ids);
    const call = { trackId: `t-q${calls.length}` };
    return { ok: true, last: call, records: new Map(ids.filter((i) => !missing.has(i)).map((i) => [i, { record: { Id: i }, call }])) };
  };
  return { calls, read };
}

describe('readAhead', () => {
  it('hands every item on in input order, reading each id once, 200 ids a read', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => usageId(i % 450));
    const { calls, read } = reader(new Set([usageId(7)]));
    const seen = new Set<string>();
    const out: Array<{ item: string; kind?: string }> = [];
    for await (const { item, read: result } of readAhead(source(ids), {
      idOf: (item) => (seen.has(item) ? undefined : (seen.add(item), item)),
      read,
    })) {
      out.push({ item, kind: result?.kind });
    }
    expect(out.map((o) => o.item)).toEqual(ids);
    expect(calls.map((c) => c.length)).toEqual([200, 200, 50]);
    expect(new Set(calls.flat()).size).toBe(450);
    expect(out[7]).toEqual({ item: usageId(7), kind: 'not-found' });
    expect(out[8]).toEqual({ item: usageId(8), kind: 'found' });
    // Later rows of an Id carry no read of their own.
    expect(out[450]).toEqual({ item: usageId(0), kind: undefined });
  });

  it('hands on the first rows as soon as their read is done, and has the next reads started before their rows are reached', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => usageId(i));
    const { calls, read } = reader();
    const callsAt = new Map<string, number>();
    for await (const { item } of readAhead(source(ids), { idOf: (item) => item, read, ahead: 2 })) callsAt.set(item, calls.length);
    expect(callsAt.get(ids[0] as string)).toBe(1);
    expect(callsAt.get(ids[200] as string)).toBe(3);
    expect(callsAt.get(ids[400] as string)).toBe(4);
    expect(calls).toHaveLength(5);
  });

  it('closes a batch after 4 x 200 items even when few of them need a read', async () => {
    const ids = Array.from({ length: 2000 }, (_, i) => usageId(i));
    const everyHundredth = new Set(ids.filter((_, i) => i % 100 === 0));
    const { calls, read } = reader();
    let handed = 0;
    for await (const entry of readAhead(source(ids), { idOf: (item) => (everyHundredth.has(item) ? item : undefined), read })) {
      void entry;
      handed++;
    }
    expect(handed).toBe(2000);
    expect(calls.map((c) => c.length)).toEqual([8, 8, 4]);
  });

  it('gives every item of a failed read that failure, and stops handing on once aborted', async () => {
    const failing = async (): Promise<ReadBatch> => ({ ok: false, call: { trackId: 't-q1' }, errorCode: 'TEMPORARY_ERROR', errorMessage: 'later' });
    const kinds: string[] = [];
    for await (const { read } of readAhead(source([usageId(1), usageId(2)]), { idOf: (item) => item, read: failing })) kinds.push(read?.kind ?? '');
    expect(kinds).toEqual(['failed', 'failed']);

    const stop = new AbortController();
    const { read } = reader();
    const handed: string[] = [];
    for await (const { item } of readAhead(source(Array.from({ length: 500 }, (_, i) => usageId(i))), { idOf: (item) => item, read, signal: stop.signal })) {
      handed.push(item);
      if (handed.length === 3) stop.abort();
    }
    expect(handed).toHaveLength(3);
  });
});
