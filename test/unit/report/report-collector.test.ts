import { describe, expect, it } from 'vitest';
import { createReportCollector } from '../../../src/report/report-collector.js';
import type { RowOutcome } from '../../../src/row-outcome.js';

const outcome = (seq: number, result: RowOutcome['result'], errorCode?: string, errorMessage?: string): RowOutcome => ({
  seq,
  line: seq + 2,
  cells: [],
  id: `id${seq}`,
  result,
  attempts: 1,
  ...(errorCode ? { errorCode } : {}),
  ...(errorMessage ? { errorMessage } : {}),
});

describe('report collector', () => {
  it('groups failures by error_code with counts and first rows; QUANTITY_TIMES_1000 leads, then the largest groups', () => {
    const c = createReportCollector({ firstRows: 2 });
    c.row(outcome(0, 'updated'));
    c.row(outcome(1, 'invalid', 'INVALID_ROW', 'Quantity: "abc" is not a number'));
    c.row(outcome(2, 'failed', 'INVALID_VALUE', 'bad'));
    c.row(outcome(3, 'invalid', 'INVALID_ROW', 'second'));
    c.row(outcome(4, 'invalid', 'INVALID_ROW', 'third'));
    c.row(outcome(5, 'invalid', 'QUANTITY_TIMES_1000', '312091 is exactly 1000 × 312.091'));
    c.row(outcome(6, 'unknown'));
    const { errors, counts, rows } = c.rows();
    expect(errors.map((g) => [g.code, g.count])).toEqual([
      ['QUANTITY_TIMES_1000', 1],
      ['INVALID_ROW', 3],
      ['(unknown, no code)', 1],
      ['INVALID_VALUE', 1],
    ]);
    expect(errors[1]?.first.map((r) => r.line)).toEqual([3, 5]);
    expect(counts).toEqual({ updated: 1, invalid: 4, failed: 1, unknown: 1 });
    expect(rows).toBe(7);
  });

  it('keeps billed rows apart (count and first rows) and counts verify codes; done rows are no failures', () => {
    const c = createReportCollector({ blockedRows: 1 });
    c.row(outcome(0, 'blocked', 'BILLED', 'billed'));
    c.row(outcome(1, 'blocked', 'BILLED', 'billed'));
    c.row(outcome(2, 'updated', 'NOT_VERIFIED'));
    c.row(outcome(3, 'failed', 'VERIFY_MISMATCH'));
    c.row(outcome(4, 'would-update'));
    const rows = c.rows();
    expect(rows.blocked).toEqual({ count: 2, first: [{ line: 2, id: 'id0', result: 'blocked', message: 'billed' }] });
    expect(rows.verifyCodes).toEqual({ NOT_VERIFIED: 1, VERIFY_MISMATCH: 1 });
    expect(rows.errors.map((g) => g.code)).toEqual(['BILLED', 'VERIFY_MISMATCH']);
  });

  it('holds aggregates only at 1,000,000 rows: first rows, codes and message lengths stay bounded', () => {
    const c = createReportCollector({ maxCodes: 10 });
    const long = 'x'.repeat(5000);
    for (let i = 0; i < 1_000_000; i++) c.row(outcome(i, i % 3 === 0 ? 'updated' : 'failed', `CODE_${i % 50}`, long));
    const rows = c.rows();
    expect(rows.rows).toBe(1_000_000);
    expect(rows.errors).toHaveLength(11);
    expect(rows.errors.find((g) => g.code === 'OTHER')?.count).toBeGreaterThan(0);
    expect(rows.errors.reduce((n, g) => n + g.count, 0)).toBe(rows.counts.failed);
    expect(rows.errors.every((g) => g.first.length <= 5 && g.first.every((r) => r.message.length <= 301))).toBe(true);
  });

  it('is started only once the run says so', () => {
    const c = createReportCollector();
    expect(c.started).toBe(false);
    c.start({});
    expect(c.started).toBe(true);
  });
});
