import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { createResultsWriter } from '../../../src/output/results-writer.js';
import { RESULT_COLUMNS, type RowOutcome } from '../../../src/row-outcome.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { eventLoopTurns } from '../../helpers/wait-for.js';

async function paths() {
  const dir = await tempDir('zuu-writer-');
  return { outPath: join(dir, 'out.csv'), failuresPath: join(dir, 'failures.csv') };
}

function outcome(seq: number, id: string, result: RowOutcome['result'], extra: Partial<RowOutcome> = {}): RowOutcome {
  return { seq, line: seq + 2, cells: [id, String(seq)], id, result, attempts: result === 'updated' ? 1 : 0, ...extra };
}

describe('createResultsWriter', () => {
  it('writes outcomes in input order whatever order they finish in', async () => {
    const files = await paths();
    const writer = await createResultsWriter({ ...files, header: ['Id', 'Quantity'], delimiter: ',', bom: false });
    for (const seq of [2, 0, 3, 1]) writer.add(outcome(seq, `id${seq}`, 'updated'));
    await writer.close();
    const rows = parse(await readFile(files.outPath, 'utf8')) as string[][];
    expect(rows[0]).toEqual(['Id', 'Quantity', ...RESULT_COLUMNS]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['id0', 'id1', 'id2', 'id3']);
    expect(rows.slice(1).map((r) => r.at(-1))).toEqual(['2', '3', '4', '5']);
  });

  it('holds finished rows behind a slow earlier one, and says when its buffer is full', async () => {
    const files = await paths();
    const writer = await createResultsWriter({ ...files, header: ['Id', 'Quantity'], delimiter: ',', bom: false, maxBuffered: 2 });
    writer.add(outcome(1, 'a', 'updated'));
    expect(writer.hasRoom()).toBe(true);
    writer.add(outcome(2, 'b', 'updated'));
    expect(writer.hasRoom()).toBe(false);
    writer.add(outcome(0, 'c', 'updated'));
    expect(writer.hasRoom()).toBe(true);
    await writer.close();
  });

  it('room() resolves once the outcome of the slow earlier row empties its buffer', async () => {
    const files = await paths();
    const writer = await createResultsWriter({ ...files, header: ['Id', 'Quantity'], delimiter: ',', bom: false, maxBuffered: 2 });
    await writer.room();
    writer.add(outcome(1, 'a', 'updated'));
    writer.add(outcome(2, 'b', 'updated'));
    let resolved = false;
    const room = writer.room().then(() => (resolved = true));
    await eventLoopTurns(3);
    expect(resolved).toBe(false);
    writer.add(outcome(0, 'c', 'updated'));
    await room;
    expect(writer.hasRoom()).toBe(true);
    await writer.close();
  });

  it('has no room while a file waits to drain, and room() resolves when it has drained', async () => {
    const files = await paths();
    const writer = await createResultsWriter({ ...files, header: ['Id', 'Quantity'], delimiter: ',', bom: false });
    // One batch of rows (256) bigger than the file stream's buffer (16 KiB) fills it.
    for (let seq = 0; seq < 256; seq++) writer.add(outcome(seq, `id${seq}`, 'updated', { errorMessage: 'x'.repeat(100) }));
    expect(writer.hasRoom()).toBe(false);
    await writer.room();
    expect(writer.hasRoom()).toBe(true);
    await writer.close();
  });

  it('puts failed rows and the later rows of their Id in the failures file', async () => {
    const files = await paths();
    const writer = await createResultsWriter({ ...files, header: ['Id', 'Quantity'], delimiter: ',', bom: false });
    writer.add(outcome(0, 'A', 'updated'));
    writer.add(outcome(1, 'B', 'failed', { errorCode: 'INVALID_VALUE', errorMessage: 'no', httpStatus: 400, attempts: 1 }));
    writer.add(outcome(2, 'A', 'updated'));
    writer.add(outcome(3, 'B', 'updated'));
    writer.add(outcome(4, 'C', 'invalid', { errorMessage: 'Quantity "x" is not a number' }));
    writer.add(outcome(5, 'D', 'unknown', { errorCode: 'ETIMEDOUT' }));
    await writer.close();
    const failures = parse(await readFile(files.failuresPath, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(failures.map((r) => [r.Id, r.result])).toEqual([
      ['B', 'failed'],
      ['B', 'updated'],
      ['C', 'invalid'],
      ['D', 'unknown'],
    ]);
    expect(writer.counts).toEqual({ updated: 3, failed: 1, unknown: 1, invalid: 1, valid: 0 });
    expect(writer.failuresWritten).toBe(4);
  });

  it('keeps the input delimiter and BOM, and neutralises formulas in server text', async () => {
    const files = await paths();
    const writer = await createResultsWriter({ ...files, header: ['Id', 'Quantity'], delimiter: ';', bom: true });
    writer.add(outcome(0, 'A', 'failed', { errorMessage: '=HYPERLINK("http://evil")', errorCode: '+X', requestId: '@r' }));
    await writer.close();
    const text = await readFile(files.outPath, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.split('\n')[0]).toBe('\ufeffId;Quantity;result;error_code;error_message;http_status;attempts;track_id;request_id;line');
    const rows = parse(text, { delimiter: ';', bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows[0]).toMatchObject({ error_message: `'=HYPERLINK("http://evil")`, error_code: "'+X", request_id: "'@r" });
  });

  it('writes what it holds, in order, when closed after an early stop left a gap', async () => {
    const files = await paths();
    const writer = await createResultsWriter({ ...files, header: ['Id', 'Quantity'], delimiter: ',', bom: false });
    writer.add(outcome(0, 'a', 'updated'));
    writer.add(outcome(3, 'd', 'updated'));
    writer.add(outcome(2, 'c', 'updated'));
    await writer.close();
    const rows = parse(await readFile(files.outPath, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.Id)).toEqual(['a', 'c', 'd']);
  });

  it('fails with OUTPUT_UNWRITABLE before anything is sent when the folder does not exist', async () => {
    await expect(
      createResultsWriter({ outPath: '/nonexistent/dir/out.csv', failuresPath: '/nonexistent/f.csv', header: ['Id'], delimiter: ',', bom: false }),
    ).rejects.toMatchObject({ code: 'OUTPUT_UNWRITABLE' });
  });
});
