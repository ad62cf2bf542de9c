import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { batchRows } from '../../../src/send/batch-rows.js';

interface Row {
  id: string;
  n: number;
}

function batcher(batchSize: number, lingerMs = 10) {
  const calls: number[][] = [];
  const b = batchRows<Row>({ batchSize, lingerMs, idOf: (r) => r.id, send: (rows) => calls.push(rows.map((r) => r.n)) });
  return { b, calls };
}

const row = (n: number, id = `id${n}`): Row => ({ id, n });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('batchRows: gathering rows into calls', () => {
  it('sends a call as soon as it is full, without waiting', () => {
    const { b, calls } = batcher(3);
    for (let n = 1; n <= 7; n++) b.add(row(n));
    expect(calls).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(b.waiting).toBe(1);
  });

  it('sends a partial call lingerMs after its first row when rows come slowly', () => {
    const { b, calls } = batcher(50, 10);
    b.add(row(1));
    vi.advanceTimersByTime(6);
    b.add(row(2));
    expect(calls).toEqual([]);
    // The wait counts from the call's first row, not its last: a trickle never holds a row back longer.
    vi.advanceTimersByTime(4);
    expect(calls).toEqual([[1, 2]]);
    b.add(row(3));
    vi.advanceTimersByTime(10);
    expect(calls).toEqual([[1, 2], [3]]);
  });

  it('after inputEnded() a partial call leaves at the next turn of the event loop, with the rows added until then', () => {
    const { b, calls } = batcher(50, 10_000);
    for (let n = 1; n <= 52; n++) b.add(row(n));
    b.inputEnded();
    b.add(row(53));
    expect(calls).toHaveLength(1);
    vi.advanceTimersByTime(0);
    expect(calls.slice(1)).toEqual([[51, 52, 53]]);
    // A row sent again later does not wait lingerMs either.
    b.add(row(54));
    vi.advanceTimersByTime(0);
    expect(calls.slice(2)).toEqual([[54]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flush() sends the last partial call at once; close() too, and stops the timer', () => {
    const { b, calls } = batcher(50);
    b.add(row(1));
    b.flush();
    expect(calls).toEqual([[1]]);
    b.flush();
    expect(calls).toEqual([[1]]);
    b.add(row(2));
    b.close();
    expect(calls).toEqual([[1], [2]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never puts two rows of one Id in the same call, and keeps their order', () => {
    const { b, calls } = batcher(50);
    b.add(row(1, 'A'));
    b.add(row(2, 'B'));
    b.add(row(3, 'A'));
    b.add(row(4, 'C'));
    b.add(row(5, 'A'));
    b.flush();
    expect(calls).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('a batch size of 1 sends every row alone', () => {
    const { b, calls } = batcher(1);
    b.add(row(1));
    b.add(row(2));
    expect(calls).toEqual([[1], [2]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses a batch size below 1', () => {
    expect(() => batcher(0)).toThrow(/batchSize/);
  });
});
