import { addDecimals, compareDecimals, formatDecimal, parseDecimal, subtractDecimals, type Decimal } from '../read/compare.js';
import type { ReadRecord } from '../read/usage-query.js';

/** Old and new total quantity of one unit of measure or one account, as plain decimals. */
export interface QuantityTotal {
  /** The unit of measure, or the account (its number when read, else its Id). */
  key: string;
  /** Total over the records read, as Zuora held them. */
  old: string;
  /** Total over the same records once the rows are applied. */
  new: string;
  /** New minus old. */
  change: string;
  /** Records read that this total covers. */
  records: number;
}

/** One account's totals in one unit (an account's Minutes and Seats are never added), with both of its names when Zuora gave them. */
export interface AccountTotal extends QuantityTotal {
  uom: string;
  accountId?: string;
  accountNumber?: string;
}

/** A row that changes a record's quantity (or its unit), for "the largest changes". */
export interface RowChange {
  line: number;
  id: string;
  account: string;
  /** The unit before the row, and after it when the row changes it. */
  uom: string;
  newUom?: string;
  old: string;
  new: string;
  change: string;
}

/** What the quantity totals say at the end (or at any moment) of a run. */
export interface QuantityTotals {
  /** Per unit of measure, by name: totals of different units are never added together. */
  byUom: QuantityTotal[];
  /** The accounts (per unit) with the largest change (absolute), at most `topAccounts`, largest first. */
  topAccounts: AccountTotal[];
  /** Every other account as one line per unit (empty when there is none); `key` is the unit, `accounts` counts the accounts kept one by one in it. */
  otherAccounts: Array<QuantityTotal & { accounts: number }>;
  /** Account and unit pairs kept one by one. */
  accounts: number;
  /** Pairs past `maxAccounts` were added to `otherAccounts` without being counted, so the top list may miss a late large one. */
  accountsCapped: boolean;
  /** The rows with the largest change (absolute), largest first. */
  topRows: RowChange[];
}

/** Sizes of what the totals keep: memory stays flat whatever the file's length. */
export interface QuantityTotalsLimits {
  /** Accounts shown one by one. Default 20. */
  topAccounts?: number;
  /** Rows shown in "the largest changes". Default 20. */
  topRows?: number;
  /** Accounts kept one by one (about 200 bytes each); later ones are added to the rest. Default 20,000. */
  maxAccounts?: number;
}

/**
 * Adds up the quantities of the records a run read, per unit of measure and per account, before and
 * after its rows: the first row of each Id brings Zuora's record (`read`), each row that would change
 * (or changed) it moves its quantity from the old state to the new (`change`; a row that changes
 * the unit moves the quantity to the other unit's total). Totals of different units are never added
 * together. Keeps aggregates and top lists only, never a row per record.
 */
export interface QuantityLedger {
  /** A record as Zuora held it before any row of the run (the first row of its Id read it). */
  read(record: ReadRecord): void;
  /** A row that changes the record from `from` (as the earlier rows of its Id leave it) to `to`. */
  change(row: { line: number; id: string; from: ReadRecord; to: Readonly<Record<string, string>> }): void;
  totals(): QuantityTotals;
}

interface Sum {
  old: Decimal;
  new: Decimal;
  records: number;
}

const ZERO: Decimal = { units: 0n, scale: 0 };
/** The bucket of a record Zuora gives no unit (or no account). */
export const NO_UNIT = '(no unit)';
export const NO_ACCOUNT = '(no account)';

export function createQuantityLedger(limits: QuantityTotalsLimits = {}): QuantityLedger {
  const topAccounts = limits.topAccounts ?? 20;
  const topRowCount = limits.topRows ?? 20;
  const maxAccounts = limits.maxAccounts ?? 20_000;
  const byUom = new Map<string, Sum>();
  type AccountSum = Sum & { account: string; uom: string; accountId?: string; accountNumber?: string };
  const byAccount = new Map<string, AccountSum>();
  // Pairs past the cap, per unit: the units are few, so this stays small.
  const overflow = new Map<string, Sum & { accounts: number }>();
  const topRows: Array<RowChange & { size: Decimal }> = [];

  const quantity = (record: Readonly<Record<string, string>>): Decimal => parseDecimal(record.Quantity ?? '') ?? ZERO;
  const unit = (record: Readonly<Record<string, string>>): string => (record.UOM ?? '').trim() || NO_UNIT;
  const accountOf = (record: Readonly<Record<string, string>>): string => record.AccountNumber || record.AccountId || NO_ACCOUNT;
  const uomSum = (uom: string): Sum => {
    let sum = byUom.get(uom);
    if (!sum) byUom.set(uom, (sum = { old: ZERO, new: ZERO, records: 0 }));
    return sum;
  };
  /** The sum of the record's account in `uom`; a new pair past the cap goes to the rest of its unit. */
  const accountSum = (record: Readonly<Record<string, string>>, uom: string): Sum => {
    const account = accountOf(record);
    const key = `${account}\u0000${uom}`;
    const known = byAccount.get(key);
    if (known) return known;
    if (byAccount.size >= maxAccounts) {
      let rest = overflow.get(uom);
      if (!rest) overflow.set(uom, (rest = { old: ZERO, new: ZERO, records: 0, accounts: 0 }));
      return rest;
    }
    const sum: AccountSum = { old: ZERO, new: ZERO, records: 0, account, uom, accountId: record.AccountId, accountNumber: record.AccountNumber };
    byAccount.set(key, sum);
    return sum;
  };
  const abs = (d: Decimal): Decimal => (d.units < 0n ? { units: -d.units, scale: d.scale } : d);

  return {
    read(record) {
      const q = quantity(record);
      const uom = unit(record);
      for (const sum of [uomSum(uom), accountSum(record, uom)]) {
        sum.old = addDecimals(sum.old, q);
        sum.new = addDecimals(sum.new, q);
        sum.records++;
      }
    },
    change({ line, id, from, to }) {
      const before = quantity(from);
      const after = to.Quantity === undefined || to.Quantity.trim() === '' ? before : quantity(to);
      const fromUnit = unit(from);
      const toUnit = to.UOM === undefined || to.UOM.trim() === '' ? fromUnit : unit(to);
      const delta = subtractDecimals(after, before);
      if (delta.units === 0n && fromUnit === toUnit) return;
      for (const sum of [uomSum(fromUnit), accountSum(from, fromUnit)]) sum.new = subtractDecimals(sum.new, before);
      for (const sum of [uomSum(toUnit), accountSum(from, toUnit)]) sum.new = addDecimals(sum.new, after);
      const size = abs(delta);
      const smallest = topRows[topRows.length - 1];
      if (topRows.length >= topRowCount && smallest && compareDecimals(size, smallest.size) <= 0) return;
      const row: RowChange & { size: Decimal } = {
        line,
        id,
        account: accountOf(from),
        uom: fromUnit,
        ...(toUnit === fromUnit ? {} : { newUom: toUnit }),
        old: formatDecimal(before),
        new: formatDecimal(after),
        change: formatDecimal(delta),
        size,
      };
      const at = topRows.findIndex((r) => compareDecimals(size, r.size) > 0);
      topRows.splice(at < 0 ? topRows.length : at, 0, row);
      if (topRows.length > topRowCount) topRows.pop();
    },
    totals() {
      const total = (key: string, sum: Sum): QuantityTotal => ({
        key,
        old: formatDecimal(sum.old),
        new: formatDecimal(sum.new),
        change: formatDecimal(subtractDecimals(sum.new, sum.old)),
        records: sum.records,
      });
      const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
      const uoms = [...byUom.entries()].sort(([a], [b]) => byName(a, b)).map(([key, sum]) => total(key, sum));
      const size = (sum: Sum): Decimal => abs(subtractDecimals(sum.new, sum.old));
      const accounts = [...byAccount.values()].sort((a, b) => compareDecimals(size(b), size(a)) || byName(a.account, b.account) || byName(a.uom, b.uom));
      const shown = accounts.slice(0, topAccounts).map(
        (sum): AccountTotal => ({
          ...total(sum.account, sum),
          uom: sum.uom,
          ...(sum.accountId === undefined ? {} : { accountId: sum.accountId }),
          ...(sum.accountNumber === undefined ? {} : { accountNumber: sum.accountNumber }),
        }),
      );
      const rest = new Map<string, Sum & { accounts: number }>([...overflow.entries()].map(([uom, sum]) => [uom, { ...sum }]));
      for (const sum of accounts.slice(topAccounts)) {
        const into = rest.get(sum.uom) ?? { old: ZERO, new: ZERO, records: 0, accounts: 0 };
        rest.set(sum.uom, { old: addDecimals(into.old, sum.old), new: addDecimals(into.new, sum.new), records: into.records + sum.records, accounts: into.accounts + 1 });
      }
      return {
        byUom: uoms,
        topAccounts: shown,
        otherAccounts: [...rest.entries()].sort(([a], [b]) => byName(a, b)).map(([uom, sum]) => ({ ...total(uom, sum), accounts: sum.accounts })),
        accounts: byAccount.size,
        accountsCapped: overflow.size > 0,
        topRows: topRows.map(({ size: _size, ...row }) => row),
      };
    },
  };
}
