import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoEnv, inputFile, readCsv, runCli } from '../helpers/cli.js';
import { usageId } from '../helpers/sender.js';
import { pendingRecord, simulatorPerTest } from '../helpers/with-simulator.js';

/**
 * An Id in doubt through the CLI: X's first PUT is held by the simulator past --timeout (100 ms, real
 * time: a spawned CLI has no virtual clock) and applied 300 ms after it arrived. The time-driven cases
 * are in test/integration/run/ids-in-doubt.test.ts on a virtual clock; these check the wiring.
 */
const start = simulatorPerTest();
const X = usageId(0xd10);

describe('an Id in doubt (CLI)', () => {
  it('by default: the last row of X is unknown EARLIER_ATTEMPT_IN_DOUBT, the summary and its JSON count the Id, exit 2', async () => {
    const s = await start({ records: [pendingRecord(X, { Quantity: 1 })], faults: { [X]: [{ kind: 'hold', applyAfterMs: 300 }] } });
    const { dir, input } = await inputFile('d.csv', ['Id,Quantity', `${X},5`, `${X},7`]);
    const run = await runCli([input, '--timeout', '100', '-c', '1', '--summary-json', join(dir, 's.json')], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(2);
    const rows = await readCsv(join(dir, 'd.results.csv'));
    expect(rows.map((r) => [r.result, r.error_code])).toEqual([
      ['updated', ''],
      ['unknown', 'EARLIER_ATTEMPT_IN_DOUBT'],
    ]);
    expect(rows[1]?.error_message).toMatch(/earlier row of this Id \(line 2\) sent at \S+ got no answer \(ETIMEDOUT\)/);
    expect(run.stderr).toMatch(/in doubt: +1 Ids/);
    expect(JSON.parse(await readFile(join(dir, 's.json'), 'utf8'))).toMatchObject({ inDoubt: { ids: 1, settled: 0, resent: 0 } });
    expect((await readCsv(join(dir, 'd.failures.csv'))).map((r) => r.Quantity)).toEqual(['7']);
  });

  it('--settle 0.5 (from ZUORA_USAGE_SETTLE): X is read back once the request is old, and left at the value of its last row', async () => {
    const s = await start({ records: [pendingRecord(X, { Quantity: 1 })], faults: { [X]: [{ kind: 'hold', applyAfterMs: 300 }] } });
    const { dir, input } = await inputFile('d.csv', ['Id,Quantity', `${X},5`, `${X},7`]);
    const run = await runCli([input, '--timeout', '100', '-c', '1', '--summary-json', join(dir, 's.json')], { env: { ...demoEnv(s), ZUORA_USAGE_SETTLE: '0.5' } });
    expect(run.code, run.stderr).toBe(0);
    const rows = await readCsv(join(dir, 'd.results.csv'));
    // The retry's backoff is real and random here: the late request lands before the last row (SETTLED)
    // or after it (sent again); the integration test pins each case on a virtual clock.
    expect(rows.map((r) => r.result)).toEqual(['updated', 'updated']);
    expect(['SETTLED', 'RESENT_AFTER_SETTLE']).toContain(rows[1]?.error_code);
    expect(s.tenant.get(X)?.Quantity).toBe('7');
    const { inDoubt } = JSON.parse(await readFile(join(dir, 's.json'), 'utf8')) as { inDoubt: { ids: number; settled: number; resent: number } };
    expect(inDoubt.ids).toBe(1);
    expect(inDoubt.settled + inDoubt.resent).toBe(1);
  });
});
