import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { partialPath } from '../../../src/resume/results-file.js';
import { DEFAULT_READING } from '../../../src/resume/reading-options.js';
import { runInfoPath } from '../../../src/resume/run-info.js';
import { IdTable } from '../../../src/resume/id-table.js';
import { journalPath } from '../../../src/resume/send-journal.js';
import { KEPT_ROWS_MARK, keptRowsPath } from '../../../src/resume/kept-rows-path.js';
import { startResume } from '../../../src/resume/start-resume.js';
import { tempDir } from '../../helpers/temp-dir.js';

const HEADER = 'Id,Quantity,result,error_code,error_message,http_status,attempts,track_id,request_id,line';
const row = (id: string, q: string, line: number, result = 'updated') => `${id},${q},${result},,,200,1,t-${line},r${line},${line}`;

/** An earlier run's results (recorded against `local`) and the current input. */
async function setUp(recorded: string[], input: Array<[string, string]>, resume = true, journal?: string, keptRows?: string) {
  const dir = await tempDir('zuu-start-resume-');
  const out = join(dir, 'r.results.csv');
  const inputPath = join(dir, 'r.csv');
  await writeFile(out, [HEADER, ...recorded].join('\n') + '\n');
  await writeFile(runInfoPath(out), JSON.stringify({ target: 'local' }));
  await writeFile(inputPath, `Id,Quantity\n${input.map((cells) => cells.join(',')).join('\n')}\n`);
  if (journal !== undefined) await writeFile(journalPath(out), journal);
  if (keptRows !== undefined) await writeFile(keptRowsPath(out), keptRows);
  const session = await startResume({
    out,
    resume,
    target: 'local',
    input: inputPath,
    header: ['Id', 'Quantity'],
    keptColumns: [0, 1],
    idIndex: 0,
    reading: DEFAULT_READING,
    logger: pino({ level: 'silent' }),
  });
  /** Which rows of the input the session sends (line numbers), in order. */
  const sent = async (): Promise<number[]> => {
    const lines: number[] = [];
    for (const [i, cells] of input.entries()) if ((await session.decide(i + 2, cells[0], cells)) === undefined) lines.push(i + 2);
    return lines;
  };
  return { out, session, sent };
}

describe('startResume', () => {
  it.each([
    {
      name: 'keeps rows recorded updated with the same cells, sends the rest',
      recorded: [row('a', '1', 2), row('b', '2', 3, 'failed'), row('c', '3', 4)],
      input: [['a', '1'], ['b', '2'], ['c', '3'], ['d', '4']] as Array<[string, string]>,
      sent: [3, 5],
    },
    {
      name: 'after an earlier row of an Id is sent, its later rows are sent too',
      recorded: [row('a', '1', 2, 'failed'), row('b', '2', 3), row('a', '3', 4)],
      input: [['a', '1'], ['b', '2'], ['a', '3']] as Array<[string, string]>,
      sent: [2, 4],
    },
    {
      name: 'every row of an Id whose rows differ from the recorded ones is sent, earlier rows too',
      recorded: [row('x', '5', 2), row('x', '7', 3), row('y', '1', 4)],
      input: [['x', '5'], ['z', '2'], ['y', '1']] as Array<[string, string]>,
      sent: [2, 3],
    },
    {
      name: 'a row deleted at the end of the file makes its Id dirty',
      recorded: [row('x', '5', 2), row('y', '1', 3), row('x', '7', 4)],
      input: [['x', '5'], ['y', '1']] as Array<[string, string]>,
      sent: [2],
    },
    {
      name: 'rows never reached are sent, without making the recorded rows of their Id dirty',
      recorded: [row('x', '5', 2)],
      input: [['x', '5'], ['y', '1'], ['x', '6']] as Array<[string, string]>,
      sent: [3, 4],
    },
    {
      name: 'a sorted file with one row deleted: only the rows of that Id are sent, moved rows of other Ids are kept',
      recorded: [row('c', '3', 2), row('a', '1', 3), row('b', '2', 4), row('a', '5', 5)],
      input: [['a', '5'], ['b', '2'], ['c', '3']] as Array<[string, string]>,
      sent: [2],
    },
    {
      name: 'rows of an Id swapped: both sent, in the new order',
      recorded: [row('a', '1', 2), row('b', '2', 3), row('a', '5', 4)],
      input: [['b', '2'], ['a', '5'], ['a', '1']] as Array<[string, string]>,
      sent: [3, 4],
    },
    {
      name: 'a row added before the recorded rows of an Id: all its rows sent',
      recorded: [row('a', '1', 2), row('b', '2', 3)],
      input: [['a', '0'], ['b', '2'], ['a', '1']] as Array<[string, string]>,
      sent: [2, 4],
    },
  ])('$name', async (c) => {
    const { session, sent } = await setUp(c.recorded, c.input);
    expect(await sent()).toEqual(c.sent);
    await session.close();
  });

  it('an invalid row still counts among its Id\'s rows: the next row is matched with its own record', async () => {
    const { session } = await setUp([row('a', 'x', 2, 'invalid'), row('a', '1', 3)], [['a', 'x'], ['a', '1']]);
    session.passed(['a', 'x']);
    expect(await session.decide(3, 'a', ['a', '1'])).toEqual(['updated', '', '', '200', '1', 't-3', 'r3', '3']);
    await session.close();
  });

  it('without the invalid row counted, the row is matched with the wrong record and sent (never kept wrongly)', async () => {
    const { session } = await setUp([row('a', '1', 2, 'failed'), row('a', '1', 3)], [['a', '1'], ['a', '1']]);
    // Line 2 was recorded failed: it is sent, and so is line 3 after it, although recorded updated with the same cells.
    expect(await session.decide(2, 'a', ['a', '1'])).toBeUndefined();
    expect(await session.decide(3, 'a', ['a', '1'])).toBeUndefined();
    await session.close();
  });

  it('journals each row it sends before its first request, and on completion its records alone become the results', async () => {
    const { out, session } = await setUp([row('a', '1', 2), row('a', '9', 3), row('b', '2', 4)], [['a', '1'], ['b', '2']]);
    expect(await session.decide(2, 'a', ['a', '1'])).toBeUndefined();
    session.beforeSend(2);
    expect(await readFile(journalPath(out), 'utf8')).toContain(`send\t2\t${IdTable.digest('a')}\t+\n`);
    // b's row moved from line 4 to 3; its Id is untouched, so it keeps its record, which now says line 3.
    expect(await session.decide(3, 'b', ['b', '2'])).toEqual(['updated', '', '', '200', '1', 't-4', 'r4', '3']);
    expect(session.outPath).toBe(partialPath(out));
    await writeFile(session.outPath, [HEADER, row('a', '1', 2), row('b', '2', 3)].join('\n') + '\n');
    await session.finish(true);
    expect(await readFile(out, 'utf8')).toBe([HEADER, row('a', '1', 2), row('b', '2', 3)].join('\n') + '\n');
    expect(existsSync(journalPath(out))).toBe(false);
    expect(existsSync(partialPath(out))).toBe(false);
  });

  it('a run without --resume keeps the Ids an unfinished run may have sent unrecorded, until it finishes', async () => {
    const killed = `run\tout\nsend\t2\t${IdTable.digest('a')}\nsend\t3\t${IdTable.digest('x')}\n`;
    const { out, session } = await setUp([row('a', '1', 2)], [['a', '1']], false, killed);
    expect(session.outPath).toBe(out);
    expect(await readFile(journalPath(out), 'utf8')).toBe(`dirty\t${IdTable.digest('x')}\nrun\tout\n`);
    await session.finish(true);
    expect(existsSync(journalPath(out))).toBe(false);
  });

  it('keeps the rows it may keep in <out>.kept-rows beside the results while it resumes, and removes it at the end', async () => {
    const { out, session } = await setUp([row('a', '1', 2), row('b', '2', 3)], [['a', '1'], ['b', '2']]);
    expect((await readFile(keptRowsPath(out), 'utf8')).startsWith(KEPT_ROWS_MARK)).toBe(true);
    expect(session.decide(2, 'a', ['a', '1'])).toBeDefined();
    await session.close();
    expect(existsSync(keptRowsPath(out))).toBe(false);
  });

  it('a scratch file left by a run killed while it resumed is removed by the next run on that --out, resumed or not', async () => {
    for (const resume of [false, true]) {
      const { out, session } = await setUp([row('a', '1', 2)], [['a', '1']], resume, undefined, `${KEPT_ROWS_MARK}left by kill -9`);
      // A resumed run has its own scratch file there again; a fresh one has none.
      expect(existsSync(keptRowsPath(out)) && (await readFile(keptRowsPath(out), 'utf8')).includes('left by kill -9')).toBe(false);
      await session.close();
      expect(existsSync(keptRowsPath(out))).toBe(false);
    }
  });
});
