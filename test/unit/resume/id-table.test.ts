import { describe, expect, it } from 'vitest';
import { IdTable } from '../../../src/resume/id-table.js';
import { usageId } from '../../helpers/generate.js';

describe('IdTable', () => {
  it('keeps Ids with a number each, through growth', () => {
    const table = new IdTable(true);
    for (let i = 0; i < 5000; i++) table.add(usageId(i), i + 2);
    expect(table.size).toBe(5000);
    expect(table.get(usageId(1234))).toBe(1236);
    expect(table.has('8ad0ffffffffffffffffffffffffffff')).toBe(false);
    expect([...table.digests()]).toHaveLength(5000);
  });

  it('as a plain set, answers 1 for an Id it holds', () => {
    const table = new IdTable();
    table.add('a', 5);
    expect(table.get('a')).toBe(1);
    expect(table.get('b')).toBeUndefined();
  });

  it('adding an Id again replaces its number, not its count', () => {
    const table = new IdTable(true);
    table.add('a', 1);
    table.add('a', 9);
    expect(table.size).toBe(1);
    expect(table.get('a')).toBe(9);
  });

  it('digests are stable safe integers, never 0, distinct for near Ids', () => {
    const digests = Array.from({ length: 100_000 }, (_, i) => IdTable.digest(usageId(i)));
    expect(digests.every((digest) => Number.isSafeInteger(digest) && digest > 0)).toBe(true);
    expect(new Set(digests).size).toBe(100_000);
    expect(IdTable.digest('')).toBe(IdTable.digest(''));
  });

  it("'counts' keeps whole numbers (negative ones too) through growth past the Ids it was sized for", () => {
    const table = new IdTable('counts', 100);
    for (let i = 0; i < 5000; i++) table.add(`8ad0${i.toString(16).padStart(28, '0')}`, i - 2500);
    expect(table.size).toBe(5000);
    expect(table.get(`8ad0${(0).toString(16).padStart(28, '0')}`)).toBe(-2500);
    expect(table.get(`8ad0${(4999).toString(16).padStart(28, '0')}`)).toBe(2499);
    expect([...table.digests()]).toHaveLength(5000);
  });

  it("'counts' costs 8 bytes a slot (a 32-bit key and a 32-bit count), a table with numbers 16", () => {
    const counts = new IdTable('counts', 3000);
    const numbers = new IdTable(true, 3000);
    expect(counts.bytes).toBe(8 * (Math.ceil(3000 / 0.75) + 1));
    expect(numbers.bytes).toBe(16 * (Math.ceil(3000 / 0.75) + 1));
    for (let i = 0; i < 3000; i++) counts.add(usageId(i), 1 + (i % 3));
    expect(counts.bytes).toBe(8 * (Math.ceil(3000 / 0.75) + 1));
    expect(counts.get(usageId(2999).toUpperCase())).toBe(1 + (2999 % 3));
    expect(counts.get(usageId(3000))).toBeUndefined();
  });
});
