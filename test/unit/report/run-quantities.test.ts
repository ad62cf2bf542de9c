import { describe, expect, it } from 'vitest';
import { createRunQuantities } from '../../../src/report/run-quantities.js';
import { IdTable } from '../../../src/resume/id-table.js';
import type { RowOutcome } from '../../../src/row-outcome.js';
import type { SendItem } from '../../../src/send/transport.js';

const item = (seq: number, id: string, fields: Record<string, string>): SendItem => ({ seq, line: seq + 2, cells: [], update: { id, fields, trackId: `t-${seq}` } });
const outcome = (seq: number, id: string, result: RowOutcome['result']): RowOutcome => ({ seq, line: seq + 2, cells: [], id, result, attempts: 1 });

function counted(ids: Record<string, number>): IdTable {
  const table = new IdTable(true);
  for (const [id, n] of Object.entries(ids)) table.add(id, n);
  return table;
}

describe('run quantities (--backup with --report)', () => {
  it('adds up what was backed up and what the rows Zuora answered updated leave, per Id, whatever order the outcomes come in', () => {
    const q = createRunQuantities(counted({ a: 3, b: 1 }));
    q.read({ Id: 'a', Quantity: '10', UOM: 'Minutes', AccountId: 'acc' });
    q.read({ Id: 'b', Quantity: '5', UOM: 'GB', AccountId: 'acc' });
    q.sent(item(0, 'a', { Quantity: '11' }));
    q.sent(item(1, 'a', { Quantity: '12.5' }));
    q.sent(item(2, 'b', { Quantity: '1' }));
    q.sent(item(3, 'a', { Quantity: '99' }));
    // The second row of `a` is recorded before the first (the first waited for its read-back).
    q.recorded(outcome(1, 'a', 'updated'));
    q.recorded(outcome(0, 'a', 'updated'));
    q.recorded(outcome(2, 'b', 'failed'));
    q.recorded(outcome(3, 'a', 'unknown'));
    const totals = q.totals();
    expect(totals.byUom).toEqual([
      { key: 'GB', old: '5', new: '5', change: '0', records: 1 },
      { key: 'Minutes', old: '10', new: '12.5', change: '2.5', records: 1 },
    ]);
    expect(totals.topRows).toEqual([{ line: 3, id: 'a', account: 'acc', uom: 'Minutes', old: '10', new: '12.5', change: '2.5' }]);
  });

  it('counts the Ids still open when the report is written (a run that stopped), and a unit change', () => {
    const q = createRunQuantities(counted({ a: 2 }));
    q.read({ Id: 'a', Quantity: '3', UOM: 'Each', AccountId: 'acc' });
    q.sent(item(0, 'a', { UOM: 'GB' }));
    q.recorded(outcome(0, 'a', 'updated'));
    expect(q.totals().byUom.map((t) => [t.key, t.old, t.new])).toEqual([
      ['Each', '3', '0'],
      ['GB', '0', '3'],
    ]);
  });

  it('takes a row in another letter case than the record Zuora answered for the same Id, and keeps nothing of an Id after its last row', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `id-${i}`);
    const q = createRunQuantities(counted(Object.fromEntries(ids.map((id) => [id, 2]))));
    let seq = 0;
    for (const id of ids) {
      q.read({ Id: id, Quantity: '1', UOM: 'Each', AccountId: 'acc' });
      const first = seq++;
      const second = seq++;
      q.sent(item(first, id.toUpperCase(), { Quantity: '2' }));
      q.sent(item(second, id, { Quantity: '3' }));
      q.recorded(outcome(first, id.toUpperCase(), 'updated'));
      q.recorded(outcome(second, id, 'failed'));
    }
    expect(q.held).toBe(0);
    expect(q.totals().byUom).toEqual([{ key: 'Each', old: '2000', new: '4000', change: '2000', records: 2000 }]);
  });
});
