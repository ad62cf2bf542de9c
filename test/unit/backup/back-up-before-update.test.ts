import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backUpBeforeUpdate } from '../../../src/backup/back-up-before-update.js';
import { openBackup } from '../../../src/backup/backup-file.js';
import type { ReadBatch } from '../../../src/read/query-usage.js';
import { IdMap } from '../../../src/rows/id-case.js';
import type { SendItem } from '../../../src/send/transport.js';
import { tempDir } from '../../helpers/temp-dir.js';

const options = { fields: ['Quantity'], delimiter: ',', resume: true };

function item(seq: number, id: string): SendItem {
  return { seq, line: seq + 2, cells: [id, '1'], update: { id, fields: { Quantity: 1 } as never, trackId: `t${seq}` } };
}

/** A Zuora of `held` Ids (Quantity = the Id's number), counting the reads of each Id (lower case). */
function zuora(held: (id: string) => boolean): { read(ids: string[]): Promise<ReadBatch>; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  return {
    reads,
    async read(ids) {
      const records = new IdMap<{ record: Record<string, string>; call: { trackId: string } }>();
      for (const id of ids) {
        reads.set(id.toLowerCase(), (reads.get(id.toLowerCase()) ?? 0) + 1);
        if (held(id)) records.set(id, { record: { Id: id.toLowerCase(), Quantity: id.replace(/\D/g, '') }, call: { trackId: 'q' } });
      }
      return { ok: true, records, last: { trackId: 'q' } };
    },
  };
}

describe('backUpBeforeUpdate', () => {
  it.each([false, true])(
    'reads each of 3,000 Ids once, in whatever letter case its rows come, and passes on only rows whose Id is backed up (refuse: %s)',
    async (withRefuse) => {
      const path = join(await tempDir('zuu-bbu-'), 'b.csv');
      // The run that --resume continues backed up id-0 .. id-99.
      await writeFile(path, `Id,Quantity\n${Array.from({ length: 100 }, (_, i) => `id-${i},${i}\n`).join('')}`);
      const backup = await openBackup(path, options);
      const ids = Array.from({ length: 3000 }, (_, i) => `id-${i}`);
      // Three rows an Id, far apart (the second in upper case); id-2007 is unknown to Zuora.
      const rows = [...ids, ...ids.map((id) => id.toUpperCase()), ...ids].map((id, seq) => item(seq, id));
      const z = zuora((id) => id.toLowerCase() !== 'id-2007');
      const passed: SendItem[] = [];
      const notSent: SendItem[] = [];
      async function* input(): AsyncGenerator<SendItem> {
        yield* rows;
      }
      for await (const row of backUpBeforeUpdate(input(), {
        backup,
        read: z.read,
        onNotSent: (row) => notSent.push(row),
        refuse: withRefuse ? () => false : undefined,
      })) {
        expect(backup.has(row.update.id), row.update.id).toBe(true);
        passed.push(row);
      }
      await backup.close();
      expect(notSent.map((row) => row.update.id.toLowerCase())).toEqual(['id-2007', 'id-2007', 'id-2007']);
      expect(passed).toHaveLength(rows.length - 3);
      // Without refuse, the Ids backed up earlier are not read again; with it, every Id is read once.
      const expected = ids.filter((id) => withRefuse || Number(id.slice(3)) >= 100);
      expect([...z.reads.keys()].sort()).toEqual([...expected].sort());
      expect([...z.reads.values()].every((n) => n === 1)).toBe(true);
      const lines = (await readFile(path, 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(1 + 3000 - 1);
      expect(new Set(lines).size).toBe(lines.length);
    },
  );
});
