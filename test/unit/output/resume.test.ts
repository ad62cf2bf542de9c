import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cutTornRecord, mergePartial, openPriorResults, partialPath } from '../../../src/output/resume.js';
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
});
