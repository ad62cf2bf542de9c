import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { partialPath } from '../../../src/resume/results-file.js';
import { IdTable } from '../../../src/resume/id-table.js';
import { consolidateJournal, journalPath, openSendJournal, readDirtyIds } from '../../../src/resume/send-journal.js';
import { tempDir } from '../../helpers/temp-dir.js';

const HEADER = 'Id,Quantity,result,error_code,error_message,http_status,attempts,track_id,request_id,line';
const row = (id: string, q: string, line: number, result = 'updated') => `${id},${q},${result},,,200,1,t-${line},r${line},${line}`;
const file = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';

async function results(text: string, partial?: string): Promise<string> {
  const dir = await tempDir('zuu-journal-');
  const out = join(dir, 'r.results.csv');
  await writeFile(out, text);
  if (partial !== undefined) await writeFile(partialPath(out), partial);
  return out;
}

async function dirtyIds(out: string, ids: string[]): Promise<string[]> {
  const table = new IdTable();
  await readDirtyIds(out, table);
  return ids.filter((id) => table.has(id));
}

const journal = (...lines: string[]) => lines.map((line) => `${line}\n`).join('');
const send = (line: number, id: string) => `send\t${line}\t${IdTable.digest(id)}`;
const dirty = (id: string) => `dirty\t${IdTable.digest(id)}`;

describe('openSendJournal', () => {
  it('starts a run section after the dirty entries carried over; writes the sends noted so far, in one write, before the first request of a row not yet written', async () => {
    const out = await results(file());
    const fresh = openSendJournal(out, 'out');
    fresh.willSend(2, 'a');
    fresh.willSend(3, 'b');
    expect(await readFile(journalPath(out), 'utf8')).toBe(journal('run\tout'));
    fresh.writtenThrough(2);
    expect(await readFile(journalPath(out), 'utf8')).toBe(journal('run\tout', send(2, 'a'), send(3, 'b')));
    fresh.willSend(4, 'c');
    // Row 3's entry is on disk already: its request needs no write.
    fresh.writtenThrough(3);
    expect(await readFile(journalPath(out), 'utf8')).toBe(journal('run\tout', send(2, 'a'), send(3, 'b')));
    fresh.writtenThrough(4);
    expect(await readFile(journalPath(out), 'utf8')).toBe(journal('run\tout', send(2, 'a'), send(3, 'b'), send(4, 'c')));
    fresh.close();
    await writeFile(journalPath(out), journal(dirty('old')));
    const resumed = openSendJournal(out, 'partial');
    resumed.willSend(3, 'b');
    resumed.writtenThrough(3);
    // A row noted but never sent (the run stopped first) is not written: nothing of it reached Zuora.
    resumed.willSend(5, 'e');
    resumed.close();
    expect(await readFile(journalPath(out), 'utf8')).toBe(journal(dirty('old'), 'run\tpartial', send(3, 'b')));
  });
});

describe('consolidateJournal', () => {
  it.each([
    {
      name: 'a send with no record in that run\'s partial (killed in flight) makes its Id dirty',
      out: file(row('a', '1', 2)),
      partial: file(row('a', '1', 2), row('b', '2', 3)),
      journal: journal('run\tpartial', send(3, 'b'), send(4, 'c')),
      dirty: ['c'],
    },
    {
      name: 'a fresh run killed: its sends are checked against the results file itself',
      out: file(row('a', '1', 2), row('b', '2', 3, 'failed')),
      journal: journal('run\tout', send(2, 'a'), send(3, 'b'), send(4, 'c')),
      dirty: ['c'],
    },
    {
      name: 'a dirty Id the run sent and recorded is no longer dirty; one it never reached stays dirty',
      out: file(row('a', '1', 2), row('b', '2', 3)),
      partial: file(row('a', '1', 2)),
      journal: journal(dirty('a'), dirty('z'), 'run\tpartial', send(2, 'a')),
      dirty: ['z'],
    },
    {
      name: 'an Id whose last recorded send is followed by an older record of it stays dirty (that record no longer holds)',
      out: file(row('a', '1', 2), row('b', '2', 3), row('a', '7', 4)),
      partial: file(row('a', '1', 2)),
      journal: journal('run\tpartial', `${send(2, 'a')}\t+`),
      dirty: ['a'],
    },
    {
      name: 'a partial torn at its header: every send of that run is unrecorded',
      out: file(row('a', '1', 2)),
      partial: 'Id,Quan',
      journal: journal('run\tpartial', send(2, 'a')),
      dirty: ['a'],
    },
    {
      name: 'a line torn by a kill while it was written is ignored (its request had not left)',
      out: file(row('a', '1', 2)),
      journal: `${journal('run\tout', send(2, 'a'))}send\t3`,
      dirty: [],
    },
  ])('$name', async (c) => {
    const out = await results(c.out, c.partial);
    await writeFile(journalPath(out), c.journal);
    await consolidateJournal(out);
    expect(await dirtyIds(out, ['a', 'b', 'c', 'z'])).toEqual(c.dirty);
    expect(existsSync(partialPath(out))).toBe(false);
    // Only dirty entries are left: the run section has been folded in.
    expect((await readFile(journalPath(out), 'utf8')).split('\n').filter((line) => line !== '' && !line.startsWith('dirty\t'))).toEqual([]);
  });

  it('merges the partial into the results (the partial winning) after writing the journal', async () => {
    const out = await results(file(row('a', '1', 2), row('b', '2', 3, 'failed')), file(row('a', '1', 2), row('b', '2', 3)));
    await writeFile(journalPath(out), journal('run\tpartial', send(3, 'b')));
    await consolidateJournal(out);
    expect(await readFile(out, 'utf8')).toBe(file(row('a', '1', 2), row('b', '2', 3)));
  });

  it('without a journal only merges a partial', async () => {
    const out = await results(file(row('a', '1', 2)), file(row('a', '1', 2), row('b', '2', 3)));
    await consolidateJournal(out);
    expect(existsSync(journalPath(out))).toBe(false);
    expect(await readFile(out, 'utf8')).toBe(file(row('a', '1', 2), row('b', '2', 3)));
  });
});
