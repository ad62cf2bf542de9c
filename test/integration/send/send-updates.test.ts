import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../../src/simulator/create-simulator.js';
import { createRoom } from '../../../src/send/room.js';
import { sendUpdates } from '../../../src/send/send-updates.js';
import type { SendItem, Transport } from '../../../src/send/transport.js';
import type { SendResult } from '../../../src/send/zuora-call.js';
import { senderFor, usageId, type SenderHarness } from '../../helpers/sender.js';
import { eventLoopTurns, waitFor } from '../../helpers/wait-for.js';
import { putRequests } from '../../helpers/received-requests.js';

let sim: Simulator | undefined;
let sender: SenderHarness | undefined;
afterEach(async () => {
  sender?.close();
  await sim?.close();
});

function item(seq: number, id: string, quantity: string): SendItem {
  return { seq, line: seq + 2, cells: [], update: { id, fields: { Quantity: quantity }, trackId: `t-${seq + 2}` } };
}

/** A transport of `concurrency` rows in flight (4 x as many held, as the put transport) sending with `send`. */
function pool(concurrency: number, send: Transport['send']): Transport {
  return { send, rowsInFlight: concurrency, rowsAdmitted: 4 * concurrency, inputEnded: () => {} };
}

/** The production PUT of the harness, one row an item. */
const put = (item: SendItem): Promise<SendResult> => sender!.put(item.update);

async function* fromArray(items: SendItem[], pulled?: { count: number }): AsyncGenerator<SendItem> {
  for (const i of items) {
    if (pulled) pulled.count++;
    yield i;
  }
}

describe('sendUpdates against the simulator', () => {
  it('never has more than -c requests in flight, and uses them all', async () => {
    sim = await createSimulator({ acceptAnyId: true, latencyMs: 15 });
    sender = senderFor(sim);
    const items = Array.from({ length: 120 }, (_, i) => item(i, usageId(i), String(i)));
    const results: SendResult[] = [];
    await sendUpdates(fromArray(items), { transport: pool(6, put), onResult: (_i, r) => results.push(r) });
    expect(results).toHaveLength(120);
    expect(results.every((r) => r.result === 'updated')).toBe(true);
    expect(sim.stats.maxInFlight).toBeLessThanOrEqual(6);
    expect(sim.stats.maxInFlight).toBeGreaterThanOrEqual(4);
  });

  it('applies rows sharing an Id in file order, never two in flight, so the last row wins', async () => {
    sim = await createSimulator({ acceptAnyId: true, latencyMs: 5 });
    sender = senderFor(sim);
    const ids = [usageId(1), usageId(2), usageId(3)];
    // 60 rows cycling over 3 ids, interleaved with unique ids to keep the pool busy.
    const items: SendItem[] = [];
    for (let i = 0; i < 60; i++) items.push(item(items.length, i % 2 === 0 ? ids[i % 3]! : usageId(1000 + i), `${i}.5`));
    await sendUpdates(fromArray(items), { transport: pool(8, put), onResult: () => {} });
    expect(sim.stats.maxInFlightPerId).toBe(1);
    for (const id of ids) {
      const sentOrder = putRequests(sim).filter((r) => r.usageId === id).map((r) => Number(r.trackId?.slice(2)));
      const fileOrder = items.filter((i) => i.update.id === id).map((i) => i.line);
      expect(sentOrder).toEqual(fileOrder);
      const last = items.filter((i) => i.update.id === id).at(-1)!;
      expect(String(sim.tenant.get(id)?.Quantity)).toBe(last.update.fields.Quantity);
    }
  });

  it('a retried row still blocks the next row of its Id until it is done', async () => {
    const id = usageId(7);
    sim = await createSimulator({ acceptAnyId: true, faults: { [id]: [{ kind: 'status', status: 503 }, { kind: 'drop' }] } });
    sender = senderFor(sim);
    await sendUpdates(fromArray([item(0, id, '1'), item(1, id, '2')]), { transport: pool(4, put), onResult: () => {} });
    const puts = putRequests(sim).map((r) => r.trackId);
    expect(puts).toEqual(['t-2', 't-2', 't-2', 't-3']);
    expect(String(sim.tenant.get(id)?.Quantity)).toBe('2');
  });

  it('pulls rows only when there is room (backpressure reaches the reader)', async () => {
    sim = await createSimulator({ acceptAnyId: true, latencyMs: 5 });
    sender = senderFor(sim);
    const pulled = { count: 0 };
    let done = 0;
    let maxAhead = 0;
    const items = Array.from({ length: 200 }, (_, i) => item(i, usageId(i), '1'));
    await sendUpdates(fromArray(items, pulled), {
      transport: pool(4, async (i) => {
        maxAhead = Math.max(maxAhead, pulled.count - done);
        return put(i);
      }),
      onResult: () => {
        done++;
      },
    });
    expect(done).toBe(200);
    expect(maxAhead).toBeLessThanOrEqual(4 * 4 + 1);
  });

  it('waits while the results writer says it has no room, and goes on when its room() resolves', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    sender = senderFor(sim);
    let free = false;
    let asked = 0;
    let started = 0;
    const room = createRoom(() => {
      asked++;
      return free;
    });
    const promise = sendUpdates(fromArray(Array.from({ length: 5 }, (_, i) => item(i, usageId(i), '1'))), {
      transport: pool(2, async (i) => {
        started++;
        return put(i);
      }),
      room,
      onResult: () => {},
    });
    await waitFor(() => asked >= 2, { what: 'the sender asking for room' });
    await eventLoopTurns(20);
    // Asked once, then the sender waits for room() instead of asking again: nothing started meanwhile.
    expect({ asked, started }).toEqual({ asked: 2, started: 0 });
    // Nothing is running, so no finished row will wake the sender: room() must.
    free = true;
    room.check();
    await promise;
    expect(started).toBe(5);
  });

  it('stops waiting for room when aborted, taking no row', async () => {
    const controller = new AbortController();
    let started = 0;
    const promise = sendUpdates(fromArray([item(0, usageId(0), '1')]), {
      transport: pool(2, async () => {
        started++;
        return { result: 'updated', attempts: 1 };
      }),
      room: createRoom(() => false),
      signal: controller.signal,
      onResult: () => {},
    });
    await eventLoopTurns(5);
    controller.abort();
    await promise;
    expect(started).toBe(0);
  });

  it('after abort: takes no new row and lets in-flight rows finish', async () => {
    sim = await createSimulator({ acceptAnyId: true, latencyMs: 30 });
    sender = senderFor(sim);
    const controller = new AbortController();
    const finished: number[] = [];
    const items = Array.from({ length: 50 }, (_, i) => item(i, usageId(i % 3), '1'));
    let started = 0;
    await sendUpdates(fromArray(items), {
      transport: pool(3, async (i) => {
        const result = await put(i);
        if (result.result !== 'not-sent') started++;
        return result;
      }),
      signal: controller.signal,
      onResult: (i) => {
        finished.push(i.seq);
        if (finished.length === 2) controller.abort();
      },
    });
    expect(finished.length).toBeLessThan(10);
    expect(started).toBe(finished.length);
    expect(putRequests(sim).every((r) => r.outcome === 'answered')).toBe(true);
  });
});
