import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunOptions } from '../../../src/options.js';
import { IdTable } from '../../../src/resume/id-table.js';
import { partialPath } from '../../../src/resume/results-file.js';
import { startResumeStage } from '../../../src/resume/resume-stage.js';
import { runInfoPath } from '../../../src/resume/run-info.js';
import { journalPath } from '../../../src/resume/send-journal.js';
import type { RowOutcome } from '../../../src/row-outcome.js';
import type { SendItem } from '../../../src/send/transport.js';
import { quietLogger } from '../../helpers/run-options.js';
import { tempDir } from '../../helpers/temp-dir.js';

const HEADER = 'Id,Quantity,result,error_code,error_message,http_status,attempts,track_id,request_id,line';
const SHAPE = { header: ['Id', 'Quantity'], keptColumns: [0, 1], idIndex: 0 };

const item = (seq: number, id: string, quantity: string): SendItem => ({ seq, line: seq + 2, cells: [id, quantity], update: { id, fields: { Quantity: quantity }, trackId: `t-${seq + 2}` } });

async function* from(items: SendItem[]): AsyncGenerator<SendItem> {
  yield* items;
}

async function collect(rows: AsyncIterable<SendItem>): Promise<SendItem[]> {
  const all: SendItem[] = [];
  for await (const row of rows) all.push(row);
  return all;
}

/** An input of `rows` in a new folder; `recorded`: the results of an earlier run against `local`. */
async function setUp(rows: string[], recorded?: string[]) {
  const dir = await tempDir('zuu-resume-stage-');
  const input = join(dir, 'in.csv');
  const out = join(dir, 'in.results.csv');
  await writeFile(input, `Id,Quantity\n${rows.join('\n')}\n`);
  if (recorded) {
    await writeFile(out, [HEADER, ...recorded].join('\n') + '\n');
    await writeFile(runInfoPath(out), JSON.stringify({ tool: 'zuora-usage-update', target: 'local' }));
  }
  const options = { input, out, target: { kind: 'local' }, trackPrefix: 't', resume: recorded !== undefined, ignoreUnknownColumns: false } as RunOptions;
  return { out, stage: await startResumeStage(options, out, SHAPE, 0, quietLogger) };
}

describe('startResumeStage', () => {
  it('a fresh run has no stage of its own (the rows pass as they are); the mapping notes each valid row, written before its first request', async () => {
    const { out, stage } = await setUp(['a,1', 'b,2']);
    const rows = from([item(0, 'a', '1'), item(1, 'b', '2')]);
    expect(stage.keepRecorded(rows, () => {})).toBe(rows);
    const mapping = stage.mapping(() => {});
    mapping.onValid?.(item(0, 'a', '1'));
    mapping.onValid?.(item(1, 'b', '2'));
    expect(await readFile(journalPath(out), 'utf8')).toBe('run\tout\n');
    stage.beforeSend(item(0, 'a', '1'));
    // One write for every row noted so far.
    expect(await readFile(journalPath(out), 'utf8')).toBe(`run\tout\nsend\t2\t${IdTable.digest('a')}\nsend\t3\t${IdTable.digest('b')}\n`);
    expect(stage.outPath).toBe(out);
    await stage.close();
  });

  it('with --resume, a row kept from the earlier run is recorded again and not passed on; the others pass, journaled', async () => {
    const { out, stage } = await setUp(['a,1', 'b,2'], ['a,1,updated,,,200,1,t-2,r2,2', 'b,2,failed,,,400,1,t-3,r3,3']);
    expect(stage.outPath).toBe(partialPath(out));
    const recorded: RowOutcome[] = [];
    const passed = await collect(stage.keepRecorded(from([item(0, 'a', '1'), item(1, 'b', '2')]), (outcome) => recorded.push(outcome)));
    expect(passed.map((row) => row.update.id)).toEqual(['b']);
    expect(recorded).toMatchObject([{ line: 2, result: 'updated', recorded: ['updated', '', '', '200', '1', 't-2', 'r2', '2'] }]);
    expect(stage.kept).toBe(1);
    stage.beforeSend(passed[0]!);
    expect(await readFile(journalPath(out), 'utf8')).toContain(`send\t3\t${IdTable.digest('b')}`);
    await stage.close();
  });
});
