import { describe, expect, it } from 'vitest';
import { IdSequences } from '../../../src/resume/id-sequences.js';
import { IdTable } from '../../../src/resume/id-table.js';
import { join } from 'node:path';
import { tempDir } from '../../helpers/temp-dir.js';

const scratch = async () => join(await tempDir('zuu-sequences-'), 'results.csv.kept-rows');

const updated = (line: number) => ({ resultCells: ['updated', '', '', '200', '1', `t-${line}`, `r${line}`, String(line)] });

describe('IdSequences', () => {
  it('keeps the recorded rows of Ids whose rows moved, read back from the scratch file across buffer flushes, and sends the changed Id', async () => {
    const sequences = new IdSequences(await scratch());
    try {
      // Cells of 300 KB: the 1 MB write buffer is flushed between rows, so links are made in the file as well as in the buffer.
      const big = (tag: string) => tag.padEnd(300_000, '.');
      const recorded: Array<[string, string]> = [];
      for (let i = 0; i < 12; i++) recorded.push([['a', 'b', 'c'][i % 3]!, big(`${i}`)]);
      for (const [line, [id, q]] of recorded.entries()) sequences.addRecorded(id, [id, q], updated(line + 2));
      // The current input: sorted by Id (each Id's rows in their order), c's last row edited.
      const current = [...recorded].sort(([x], [y]) => x.localeCompare(y)).map(([id, q], i, all) => [id, id === 'c' && i === all.length - 1 ? big('edited') : q] as [string, string]);
      for (const [id, q] of current) sequences.addCurrent(id, [id, q]);
      expect(sequences.judge(new IdTable())).toBe(1);
      const kept = current.map(([id, q]) => sequences.reach(id, [id, q])?.[5]);
      const line = (id: string, n: number) => `t-${recorded.findIndex(([r], i) => r === id && recorded.slice(0, i).filter(([x]) => x === id).length === n) + 2}`;
      const expected: Array<string | undefined> = [...[0, 1, 2, 3].map((n) => line('a', n)), ...[0, 1, 2, 3].map((n) => line('b', n)), undefined, undefined, undefined, undefined];
      expect(kept).toEqual(expected);
    } finally {
      sequences.close();
    }
  });

  it('an Id the journal holds dirty, or with fewer rows now, is changed; extra rows after the recorded ones are sent without changing the Id', async () => {
    const sequences = new IdSequences(await scratch());
    try {
      for (const [id, q, line] of [['a', '1', 2], ['b', '2', 3], ['b', '3', 4], ['c', '4', 5]] as const) sequences.addRecorded(id, [id, q], updated(line));
      for (const [id, q] of [['a', '1'], ['b', '2'], ['c', '4'], ['c', '5']]) sequences.addCurrent(id!, [id!, q!]);
      const dirty = new IdTable();
      dirty.add('a');
      expect(sequences.judge(dirty)).toBe(2);
      expect(sequences.reach('a', ['a', '1'])).toBeUndefined();
      expect(sequences.reach('b', ['b', '2'])).toBeUndefined();
      expect(sequences.reach('c', ['c', '4'])?.[5]).toBe('t-5');
      expect(sequences.reach('c', ['c', '5'])).toBeUndefined();
    } finally {
      sequences.close();
    }
  });
});
