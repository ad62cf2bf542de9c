import { describe, expect, it } from 'vitest';
import { IdMap, IdSet } from '../../../src/rows/id-case.js';
import { IdTable } from '../../../src/resume/id-table.js';

const LOWER = '8ad09be48db5aea2018dc0c3f3b2290e';
const UPPER = LOWER.toUpperCase();

describe('Ids compared without letter case', () => {
  it('IdSet: one entry per Id whatever its case, iterated in the spelling first added', () => {
    const ids = new IdSet();
    ids.add(UPPER);
    ids.add(LOWER);
    expect(ids.size).toBe(1);
    expect(ids.has(LOWER)).toBe(true);
    expect([...ids]).toEqual([UPPER]);
    expect(ids.delete(LOWER)).toBe(true);
    expect(ids.size).toBe(0);
    expect(ids.has(UPPER)).toBe(false);
  });

  it('IdMap: get, has and delete find an entry set in the other case', () => {
    const map = new IdMap<number>();
    map.set(LOWER, 1);
    map.set(UPPER, 2);
    expect(map.size).toBe(1);
    expect(map.get(LOWER)).toBe(2);
    expect(map.has(UPPER)).toBe(true);
    expect(map.delete(UPPER)).toBe(true);
    expect(map.size).toBe(0);
  });

  it('IdTable (journal, resume, preview counts): the same digest for both cases', () => {
    expect(IdTable.digest(UPPER)).toBe(IdTable.digest(LOWER));
    expect(IdTable.digest('8AD0')).not.toBe(IdTable.digest('8AD1'));
    const table = new IdTable(true);
    table.add(LOWER, 3);
    expect(table.get(UPPER)).toBe(3);
  });
});
