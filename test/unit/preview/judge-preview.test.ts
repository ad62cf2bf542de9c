import { describe, expect, it } from 'vitest';
import { formatDecimal } from '../../../src/read/compare.js';
import { createPreviewJudge } from '../../../src/preview/judge-preview.js';
import type { ItemRead } from '../../../src/read/read-ahead.js';
import { IdTable } from '../../../src/resume/id-table.js';

const call = { trackId: 'p-q1', requestId: 'r-1', httpStatus: 200 };
const found = (record: Record<string, string>): ItemRead => ({ kind: 'found', record: { Id: 'a', ...record }, call });
const pending = { RbeStatus: 'Pending', Quantity: '4', UOM: 'GB', StartDateTime: '2026-01-15T00:00:00.000-08:00' };

describe('preview judge', () => {
  it('would-update when a cell differs, unchanged when every cell equals, with Zuora values in before_', () => {
    const judge = createPreviewJudge(['Quantity', 'UOM']);
    expect(judge.judge('a', { Quantity: '5' }, found(pending))).toMatchObject({ result: 'would-update', before: ['4', 'GB'], call });
    const other = createPreviewJudge(['Quantity', 'StartDateTime']);
    expect(other.judge('a', { Quantity: '4.00', StartDateTime: '2026-01-15T00:00:00' }, found(pending))).toMatchObject({ result: 'unchanged', before: ['4', '2026-01-15T00:00:00.000-08:00'] });
  });

  it('blocked on a billed record when the row has a standard field, even unchanged; custom fields alone pass', () => {
    const billed = found({ ...pending, RbeStatus: 'Processed' });
    expect(createPreviewJudge(['Quantity']).judge('a', { Quantity: '4' }, billed)).toMatchObject({ result: 'blocked', errorCode: 'BILLED' });
    expect(createPreviewJudge(['Region__c']).judge('a', { Region__c: 'EU' }, billed)).toMatchObject({ result: 'would-update' });
  });

  it('not-found and a failed read', () => {
    expect(createPreviewJudge(['Quantity']).judge('a', { Quantity: '1' }, { kind: 'not-found', call })).toMatchObject({ result: 'not-found', errorCode: 'NOT_FOUND', before: [''] });
    const failure = { ok: false as const, call, errorCode: 'ETIMEDOUT', errorMessage: 'no answer' };
    expect(createPreviewJudge(['Quantity']).judge('a', { Quantity: '1' }, { kind: 'failed', failure })).toMatchObject({ result: 'failed', errorCode: 'ETIMEDOUT' });
  });

  it('compares later rows of an Id with the record as the earlier rows leave it, before_ staying Zuora value', () => {
    const judge = createPreviewJudge(['Quantity', 'StartDateTime']);
    expect(judge.needsRead('a')).toBe(true);
    expect(judge.needsRead('a')).toBe(false);
    const first = judge.judge('a', { Quantity: '10', StartDateTime: '2026-02-01T00:00:00' }, found(pending));
    const second = judge.judge('a', { Quantity: '10.0', StartDateTime: '2026-02-01T08:00:00+00:00' }, undefined);
    const third = judge.judge('a', { Quantity: '3' }, undefined);
    expect([first.result, second.result, third.result]).toEqual(['would-update', 'unchanged', 'would-update']);
    expect(second.before).toEqual(['4', '2026-01-15T00:00:00.000-08:00']);
    expect(formatDecimal(first.quantityChange!)).toBe('6');
    expect(formatDecimal(third.quantityChange!)).toBe('-7');
  });

  it('an earlier row that bills the record blocks the later rows of its Id', () => {
    const judge = createPreviewJudge(['RbeStatus', 'Quantity']);
    judge.judge('a', { RbeStatus: 'Processed' }, found(pending));
    expect(judge.judge('a', { Quantity: '1' }, undefined)).toMatchObject({ result: 'blocked' });
  });

  describe('with the rows counted per Id', () => {
    const counted = (counts: Record<string, number>): IdTable => {
      const table = new IdTable(true);
      for (const [id, rows] of Object.entries(counts)) table.add(id, rows);
      return table;
    };

    it('keeps an Id while rows of it may come, and forgets it after its last row', () => {
      const judge = createPreviewJudge(['Quantity'], counted({ a: 2, b: 1 }));
      expect(judge.needsRead('a')).toBe(true);
      expect(judge.needsRead('b')).toBe(true);
      expect(judge.judge('a', { Quantity: '10' }, found(pending))).toMatchObject({ result: 'would-update' });
      expect(judge.judge('b', { Quantity: '4' }, found({ ...pending, Id: 'b' }))).toMatchObject({ result: 'unchanged' });
      // b had one row: nothing of it is held; a has one more to come.
      expect(judge.held).toBe(1);
      // The second row of a is compared with the record as the first leaves it: the state was kept.
      expect(judge.judge('a', { Quantity: '10.0' }, undefined)).toMatchObject({ result: 'unchanged' });
      expect(judge.held).toBe(0);
    });

    it('without counts, keeps every Id to the end', () => {
      const judge = createPreviewJudge(['Quantity']);
      expect(judge.needsRead('a')).toBe(true);
      judge.judge('a', { Quantity: '10' }, found(pending));
      expect(judge.needsRead('a')).toBe(false);
      expect(judge.held).toBe(1);
    });

    it('a row the count did not see (the file changed during the preview) is failed INPUT_CHANGED, never compared with a fresh read', () => {
      const judge = createPreviewJudge(['Quantity'], counted({ a: 1 }));
      expect(judge.needsRead('a')).toBe(true);
      // Pulled before the first row is judged (the reads run ahead), or after: the same answer.
      expect(judge.needsRead('a')).toBe(false);
      expect(judge.judge('a', { Quantity: '10' }, found(pending))).toMatchObject({ result: 'would-update' });
      expect(judge.judge('a', { Quantity: '11' }, undefined)).toMatchObject({ result: 'failed', errorCode: 'INPUT_CHANGED' });
      expect(judge.needsRead('a')).toBe(false);
      expect(judge.judge('a', { Quantity: '12' }, found(pending))).toMatchObject({ result: 'failed', errorCode: 'INPUT_CHANGED' });
    });

    it('an Id the count did not see at all is kept, as without counts', () => {
      const judge = createPreviewJudge(['Quantity'], counted({ a: 1 }));
      expect(judge.needsRead('b')).toBe(true);
      judge.judge('b', { Quantity: '10' }, found({ ...pending, Id: 'b' }));
      expect(judge.judge('b', { Quantity: '10' }, undefined)).toMatchObject({ result: 'unchanged' });
    });
  });
});
