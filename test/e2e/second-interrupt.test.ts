import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SIGNAL_REPEAT_MS } from '../../src/cli/interrupts.js';
import { EXIT } from '../../src/errors.js';
import type { SummaryJsonV1 } from '../../src/output/summary-json.js';
import { createSimulator, type Simulator } from '../../src/simulator/create-simulator.js';
import { demoEnv, readCsv, runCli, spawnCli, workdir } from '../helpers/cli.js';
import { writeCorrections } from '../helpers/generate.js';
import { usageId } from '../helpers/sender.js';
import { waitFor } from '../helpers/wait-for.js';
import { putRequests } from '../helpers/received-requests.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('a second Ctrl-C (issue 18)', () => {
  it('writes true counts to the summary and the summary JSON, and the next --resume sends only rows that may have been sent', async () => {
    const rows = 400;
    // The row of line 51 (the 50th row) hangs: its request is never answered, so every later row
    // finishes and waits behind it in the results writer's input-order buffer when the signals come.
    const hung = usageId(49);
    sim = await createSimulator({ acceptAnyId: true, latencyMs: 5, faults: { [hung]: [{ kind: 'hang' }] } });
    const { dir, input } = await workdir({ name: 'i.csv', text: '' });
    await writeCorrections(input, rows);
    const out = join(dir, 'i.results.csv');
    const summaryPath = join(dir, 's.json');
    const child = spawnCli([input, '-c', '4', '--log-format', 'text', '--summary-json', summaryPath], { env: demoEnv(sim), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const s = sim;
    await waitFor(() => putRequests(s).length >= 180, { timeoutMs: 60_000, what: '180 PUTs' });
    child.kill('SIGINT');
    await waitFor(() => stderr.includes('interrupted: finishing in-flight requests'), { what: 'the first interrupt logged' });
    // A repeat within SIGNAL_REPEAT_MS is the same request (timeout(1)); the CLI's clock is its own, real one.
    await new Promise((resolve) => setTimeout(resolve, SIGNAL_REPEAT_MS + 100));
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(EXIT.interrupted);

    const results = await readCsv(out);
    const answered = putRequests(s).filter((r) => r.outcome === 'answered');
    // Every row Zuora answered is in the results as updated; the hung row is there as unknown.
    expect(new Set(results.filter((r) => r.result === 'updated').map((r) => r.Id))).toEqual(new Set(answered.map((r) => r.usageId)));
    expect(results.find((r) => r.Id === hung)?.result).toBe('unknown');
    expect(results.length).toBeGreaterThan(100);

    const summary = JSON.parse(await readFile(summaryPath, 'utf8')) as SummaryJsonV1;
    const count = (result: string): number => results.filter((r) => r.result === result).length;
    expect(summary).toMatchObject({ status: 'interrupted', exitCode: EXIT.interrupted, rows: results.length, notReached: rows - results.length });
    expect(summary.counts).toMatchObject({ updated: count('updated'), unknown: count('unknown'), failed: 0 });
    expect(stderr).toContain(`rows:      ${results.length} (${count('updated')} updated, 0 failed, ${count('unknown')} unknown`);

    // The resume sends the unknown row and the rows never reached, and none that was recorded updated.
    const mark = s.requests.length;
    const resumed = await runCli([input, '--resume'], { env: demoEnv(s) });
    expect(resumed.code, resumed.stderr).toBe(0);
    const updatedBefore = new Set(results.filter((r) => r.result === 'updated').map((r) => r.Id));
    const sent = putRequests(s, mark).map((r) => r.usageId);
    expect(sent.filter((id) => updatedBefore.has(id!))).toEqual([]);
    expect(sent).toHaveLength(rows - updatedBefore.size);
    // Ids the journal holds as possibly sent: at most the unknown row's and the few rows admitted to the pool
    // whose entries were written with a sent row's (one grouped write) but never left; not the whole run's.
    const journaled = resumed.stderr.split('\n').map((l) => (l.startsWith('{') ? (JSON.parse(l) as { unrecordedSends?: number }) : {}));
    const unrecorded = journaled.find((l) => l.unrecordedSends !== undefined)?.unrecordedSends ?? 0;
    expect(unrecorded).toBeLessThan(count('unknown') + 10);
    const final = await readCsv(out);
    expect(final).toHaveLength(rows);
    expect(final.every((r) => r.result === 'updated')).toBe(true);
  }, 120_000);
});
