import { describe, expect, it } from 'vitest';
import { createQuantityLedger, NO_UNIT } from '../../../src/report/quantity-totals.js';

const record = (Id: string, Quantity: string, UOM: string, AccountId: string, AccountNumber?: string) => ({
  Id,
  Quantity,
  UOM,
  AccountId,
  ...(AccountNumber ? { AccountNumber } : {}),
});

describe('quantity totals', () => {
  it('keeps one total per unit of measure: Minutes, Seats and GB are never added together', () => {
    const ledger = createQuantityLedger();
    const m = record('m', '100', 'Minutes', 'acc1');
    const s = record('s', '5', 'Seats', 'acc1');
    const g = record('g', '0.125', 'GB', 'acc2');
    for (const r of [m, s, g]) ledger.read(r);
    ledger.change({ line: 2, id: 'm', from: m, to: { ...m, Quantity: '90.5' } });
    ledger.change({ line: 3, id: 's', from: s, to: { ...s, Quantity: '7' } });
    const { byUom } = ledger.totals();
    expect(byUom).toEqual([
      { key: 'GB', old: '0.125', new: '0.125', change: '0', records: 1 },
      { key: 'Minutes', old: '100', new: '90.5', change: '-9.5', records: 1 },
      { key: 'Seats', old: '5', new: '7', change: '2', records: 1 },
    ]);
  });

  it('moves a quantity to the other unit when a row changes the UOM, and counts a later row of the Id from what the earlier left', () => {
    const ledger = createQuantityLedger();
    const r = record('x', '10', 'Each', 'acc');
    ledger.read(r);
    const afterFirst = { ...r, Quantity: '12' };
    ledger.change({ line: 2, id: 'x', from: r, to: afterFirst });
    ledger.change({ line: 3, id: 'x', from: afterFirst, to: { ...afterFirst, UOM: 'GB', Quantity: '3' } });
    const totals = ledger.totals();
    expect(totals.byUom).toEqual([
      { key: 'Each', old: '10', new: '0', change: '-10', records: 1 },
      { key: 'GB', old: '0', new: '3', change: '3', records: 0 },
    ]);
    expect(totals.topAccounts.map((a) => [a.key, a.uom, a.old, a.new])).toEqual([
      ['acc', 'Each', '10', '0'],
      ['acc', 'GB', '0', '3'],
    ]);
    expect(totals.topRows.map((row) => [row.line, row.uom, row.newUom, row.change])).toEqual([
      [3, 'Each', 'GB', '-9'],
      [2, 'Each', undefined, '2'],
    ]);
  });

  it('rolls accounts up per unit: the accounts with the largest change one by one, the rest on one line per unit', () => {
    const ledger = createQuantityLedger({ topAccounts: 2 });
    const changes = [5, -40, 1, 30, -2];
    changes.forEach((delta, i) => {
      const r = record(`id${i}`, '100', 'Minutes', `id-of-${i}`, `A0000${i}`);
      ledger.read(r);
      ledger.change({ line: i + 2, id: r.Id, from: r, to: { ...r, Quantity: String(100 + delta) } });
    });
    const totals = ledger.totals();
    expect(totals.topAccounts.map((a) => [a.key, a.accountId, a.change])).toEqual([
      ['A00001', 'id-of-1', '-40'],
      ['A00003', 'id-of-3', '30'],
    ]);
    expect(totals.otherAccounts).toEqual([{ key: 'Minutes', old: '300', new: '304', change: '4', records: 3, accounts: 3 }]);
    expect(totals.accounts).toBe(5);
  });

  it('names an account by its number when read, else by its Id, and a record without a unit goes to its own total', () => {
    const ledger = createQuantityLedger();
    ledger.read({ Id: 'a', Quantity: '1', AccountId: 'acc-id' });
    ledger.read({ Id: 'b', Quantity: '2', AccountId: 'acc-id2', AccountNumber: 'A42', UOM: 'GB' });
    const totals = ledger.totals();
    expect(totals.byUom.map((t) => t.key)).toEqual([NO_UNIT, 'GB']);
    expect(totals.topAccounts.map((a) => a.key).sort()).toEqual(['A42', 'acc-id']);
  });

  it('keeps only the top rows by absolute change, largest first, and exact decimals', () => {
    const ledger = createQuantityLedger({ topRows: 3 });
    const deltas = ['0.1', '-7', '3.25', '-0.001', '7.5', '2'];
    deltas.forEach((delta, i) => {
      const r = record(`r${i}`, '1', 'GB', 'acc');
      ledger.read(r);
      ledger.change({ line: i + 2, id: r.Id, from: r, to: { ...r, Quantity: (1 + Number(delta)).toString() } });
    });
    expect(ledger.totals().topRows.map((row) => row.change)).toEqual(['7.5', '-7', '3.25']);
    expect(ledger.totals().byUom[0]).toMatchObject({ old: '6', new: '11.849', change: '5.849' });
  });

  it('stays flat at any size: past the cap, accounts are added to the rest of their unit, and the totals still add up', () => {
    const ledger = createQuantityLedger({ maxAccounts: 100 });
    for (let i = 0; i < 10_000; i++) {
      const r = record(`r${i}`, '2', i % 2 ? 'GB' : 'Seats', `acc${i}`);
      ledger.read(r);
      ledger.change({ line: i + 2, id: r.Id, from: r, to: { ...r, Quantity: '3' } });
    }
    const totals = ledger.totals();
    expect(totals.accounts).toBe(100);
    expect(totals.accountsCapped).toBe(true);
    expect(totals.topAccounts).toHaveLength(20);
    expect(totals.topRows).toHaveLength(20);
    expect(totals.byUom).toEqual([
      { key: 'GB', old: '10000', new: '15000', change: '5000', records: 5000 },
      { key: 'Seats', old: '10000', new: '15000', change: '5000', records: 5000 },
    ]);
    const rest = totals.otherAccounts.reduce((sum, t) => sum + Number(t.change), 0);
    expect(rest + totals.topAccounts.reduce((sum, a) => sum + Number(a.change), 0)).toBe(10_000);
  });
});
