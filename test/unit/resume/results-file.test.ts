import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cutTornRecord, mergePartial, openPriorResults, partialPath } from '../../../src/resume/results-file.js';
import { createResultsWriter } from '../../../src/output/results-writer.js';
import type { RowOutcome } from '../../../src/row-outcome.js';
import { tempDir } from '../../helpers/temp-dir.js';

const HEADER = 'Id,Quantity,result,error_code,error_message,http_status,attempts,track_id,request_id,line';
const row = (id: string, q: string, result: string, line: number) => `${id},${q},${result},,,200,1,t-${line},r${line},${line}`;

async function dir() {
  return tempDir('zuu-resume-');
}

describe('cutTornRecord', () => {
  it('cuts a last record left without its line end by a kill in the middle of a write', async () => {
    const path = join(await dir(), 'r.csv');
    await writeFile(path, `${HEADER}\n${row('a', '1', 'updated', 2)}\n${row('b', '2', 'updated', 3).slice(0, 20)}`);
    await cutTornRecord(path);
    expect(await readFile(path, 'utf8')).toBe(`${HEADER}\n${row('a', '1', 'updated', 2)}\n`);
  });

  it('leaves a complete file alone', async () => {
    const path = join(await dir(), 'r.csv');
    const text = `${HEADER}\n${row('a', '1', 'updated', 2)}\n`;
    await writeFile(path, text);
    expect(await cutTornRecord(path)).toBe(Buffer.byteLength(text));
    expect(await readFile(path, 'utf8')).toBe(text);
  });
});

describe('openPriorResults', () => {
  it('finds records by line in one forward pass, skipping torn and unreadable ones', async () => {
    const out = join(await dir(), 'r.csv');
    await writeFile(out, [HEADER, row('a', '1', 'updated', 2), 'x,"broken', row('c', '3', 'failed', 4), row('d', '4', 'updated', 6).slice(0, 30)].join('\n'));
    const priors = await openPriorResults(out);
    expect(priors?.header).toEqual(['Id', 'Quantity']);
    expect(await priors?.lookup(2)).toMatchObject({ line: 2, cells: ['a', '1'], result: 'updated' });
    expect(await priors?.lookup(3)).toBeUndefined();
    expect(await priors?.lookup(4)).toMatchObject({ result: 'failed' });
    expect(await priors?.lookup(6)).toBeUndefined();
    await priors?.close();
  });

  it('is undefined when there is no results file (a plain run)', async () => {
    expect(await openPriorResults(join(await dir(), 'none.csv'))).toBeUndefined();
  });

  it('refuses a file that is not a results file', async () => {
    const out = join(await dir(), 'r.csv');
    await writeFile(out, 'Id,Quantity\na,1\n');
    await expect(openPriorResults(out)).rejects.toMatchObject({ code: 'BAD_OPTION' });
  });
});

describe('mergePartial', () => {
  it('merges a partial left by a killed resume: newer lines win, older lines stay, input order kept', async () => {
    const out = join(await dir(), 'r.csv');
    await writeFile(out, [HEADER, row('a', '1', 'updated', 2), row('b', '2', 'failed', 3), row('d', '4', 'updated', 5)].join('\n') + '\n');
    await writeFile(partialPath(out), [HEADER, row('a', '1', 'updated', 2), row('b', '2', 'updated', 3), row('c', '3', 'updated', 4)].join('\n') + '\n' + row('d', '9', 'upd', 5).slice(0, 5));
    await mergePartial(out);
    expect(existsSync(partialPath(out))).toBe(false);
    expect((await readFile(out, 'utf8')).trim().split('\n')).toEqual([
      HEADER,
      row('a', '1', 'updated', 2),
      row('b', '2', 'updated', 3),
      row('c', '3', 'updated', 4),
      row('d', '4', 'updated', 5),
    ]);
  });

  it('a partial without a results file becomes the results file', async () => {
    const out = join(await dir(), 'r.csv');
    await writeFile(partialPath(out), `${HEADER}\n${row('a', '1', 'updated', 2)}\n`);
    await mergePartial(out);
    expect(await readFile(out, 'utf8')).toBe(`${HEADER}\n${row('a', '1', 'updated', 2)}\n`);
  });

  it('an empty partial (killed before its header was written) is dropped', async () => {
    const out = join(await dir(), 'r.csv');
    await writeFile(out, `${HEADER}\n${row('a', '1', 'updated', 2)}\n`);
    await writeFile(partialPath(out), HEADER.slice(0, 10));
    await mergePartial(out);
    expect(existsSync(partialPath(out))).toBe(false);
    expect(await readFile(out, 'utf8')).toBe(`${HEADER}\n${row('a', '1', 'updated', 2)}\n`);
  });

  it('writes the merged file byte for byte as the results writer writes the same records (quoting, delimiter, line ends, BOM)', async () => {
    const folder = await dir();
    const out = join(folder, 'r.csv');
    const expected = join(folder, 'expected.csv');
    const cells = [['a;1', 'say "hi"'], ['line\nbreak', 'cr\ronly'], [' spaced ', 'comma,not;delimiter'], ['"', '']];
    const outcome = (seq: number, index: number, result: RowOutcome['result']): RowOutcome => ({
      seq,
      line: index + 2,
      cells: cells[index]!,
      id: `id${index}`,
      result,
      attempts: 2,
      errorCode: result === 'failed' ? 'E;1' : undefined,
      errorMessage: result === 'failed' ? 'refused: "bad"\nsee; docs' : undefined,
      httpStatus: 400,
      trackId: `t-${index}`,
    });
    const write = async (path: string, outcomes: RowOutcome[]): Promise<void> => {
      const writer = await createResultsWriter({ outPath: path, failuresPath: undefined, header: ['Id;x', 'Quantity "q"'], delimiter: ';', bom: true, lineEnd: '\r\n' });
      for (const each of outcomes) writer.add(each);
      await writer.close();
    };
    await write(out, [outcome(0, 0, 'failed'), outcome(1, 1, 'failed'), outcome(2, 2, 'failed')]);
    await write(partialPath(out), [outcome(0, 1, 'updated'), outcome(1, 2, 'updated'), outcome(2, 3, 'updated')]);
    await write(expected, [outcome(0, 0, 'failed'), outcome(1, 1, 'updated'), outcome(2, 2, 'updated'), outcome(3, 3, 'updated')]);
    await mergePartial(out);
    expect(existsSync(partialPath(out))).toBe(false);
    expect((await readFile(out)).equals(await readFile(expected))).toBe(true);
  });
});
