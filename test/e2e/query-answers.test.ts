import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/create-simulator.js';
import { demoEnv, inputFile, readCsv, runCli } from '../helpers/cli.js';
import { usageId } from '../helpers/sender.js';
import { pendingRecord, simulatorPerTest } from '../helpers/with-simulator.js';
import { putRequests } from '../helpers/received-requests.js';

/**
 * A query answer that does not add up is a failed read, retried as a fresh query within the attempts,
 * never "no such record" (SPEC "Look before you leap").
 */
const start = simulatorPerTest();

const A = usageId(0x71);
const B = usageId(0x72);
const records = () => [pendingRecord(A, { Quantity: 1 }), pendingRecord(B, { Quantity: 2 })];
const queries = (s: Simulator) => s.requests.filter((r) => r.path === '/v1/action/query');

describe('query answers that do not add up', () => {
  it('--preview: an answer with fewer records than its size is queried again, and every row is judged on the whole answer', async () => {
    const s = await start({ records: records(), queryAnswerFaults: ['short'] });
    const { dir, input } = await inputFile('q.csv', ['Id,Quantity', `${A},5`, `${B},6`]);
    const run = await runCli([input, '--preview', '--track-prefix', 'qa'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    const rows = await readCsv(join(dir, 'q.preview.csv'));
    expect(rows.map((r) => [r.result, r.error_code, r.before_Quantity, r.track_id])).toEqual([
      ['would-update', '', '1', 'qa-q2'],
      ['would-update', '', '2', 'qa-q2'],
    ]);
    expect(queries(s)).toHaveLength(2);
  });

  it.each([['short'], ['no-locator'], ['expired-locator']] as const)(
    '--preview: an answer that keeps not adding up (%s) fails the rows QUERY_INCOMPLETE, never not-found',
    async (fault) => {
      const s = await start({ records: records(), queryAnswerFaults: [fault, fault] });
      const { dir, input } = await inputFile('q.csv', ['Id,Quantity', `${A},5`, `${B},6`]);
      const run = await runCli([input, '--preview', '--max-attempts', '1'], { env: demoEnv(s) });
      expect(run.code, run.stderr).toBe(2);
      const rows = await readCsv(join(dir, 'q.preview.csv'));
      expect(rows.map((r) => [r.result, r.error_code])).toEqual([
        ['failed', 'QUERY_INCOMPLETE'],
        ['failed', 'QUERY_INCOMPLETE'],
      ]);
      expect(rows[0]?.error_message).toMatch(/does not add up/);
    },
  );

  it('--backup: rows whose read did not add up are not sent and say so, never NOT_FOUND', async () => {
    const s = await start({ records: records(), queryAnswerFaults: ['no-locator'] });
    const { dir, input } = await inputFile('q.csv', ['Id,Quantity', `${A},5`, `${B},6`]);
    const run = await runCli([input, '--backup', join(dir, 'q.backup.csv'), '--max-attempts', '1'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(2);
    const rows = await readCsv(join(dir, 'q.results.csv'));
    expect(rows.map((r) => [r.result, r.error_code, r.attempts])).toEqual([
      ['failed', 'QUERY_INCOMPLETE', '0'],
      ['failed', 'QUERY_INCOMPLETE', '0'],
    ]);
    expect(putRequests(s)).toEqual([]);
  });

  it('--verify: a read-back that did not add up leaves the rows updated NOT_VERIFIED, never VERIFY_MISMATCH', async () => {
    const s = await start({ records: records(), queryAnswerFaults: ['short'] });
    const { dir, input } = await inputFile('q.csv', ['Id,Quantity', `${A},5`, `${B},6`]);
    const run = await runCli([input, '--verify', '--max-attempts', '1'], { env: demoEnv(s) });
    const rows = await readCsv(join(dir, 'q.results.csv'));
    expect(rows.map((r) => [r.result, r.error_code])).toEqual([
      ['updated', 'NOT_VERIFIED'],
      ['updated', 'NOT_VERIFIED'],
    ]);
    expect(run.stderr).not.toMatch(/VERIFY_MISMATCH/);
  });
});
