import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/simulator/create-simulator.js';
import { demoEnv, readCsv, runCli, spawnCli, workdir } from '../helpers/cli.js';
import { seededRandom, testSeed, usageId, writeCorrections } from '../helpers/generate.js';
import { recordedUpdated } from '../helpers/recorded-results.js';
import { waitFor } from '../helpers/wait-for.js';
import { putRequests } from '../helpers/received-requests.js';
import { runAndKill } from '../helpers/start-cli.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Lines recorded `updated` in the results (and a partial left by a killed resume), reading only whole records. */
function recordedUpdatedLines(out: string): Set<number> {
  return new Set(recordedUpdated(out).map((row) => Number(row.line)));
}

describe('--resume', () => {
  it('after kill -9 at random moments (also during a resume), finishes with nothing lost and no updated row sent again', async () => {
    const seed = testSeed('RESUME_SEED', 20_261_128);
    const random = seededRandom(seed);
    const rows = 500;
    for (let trial = 0; trial < 10; trial++) {
      sim = await createSimulator({ acceptAnyId: true, latencyMs: 4 });
      const { dir, input } = await workdir({ name: 'big.csv', text: '' });
      const inputRows = await writeCorrections(input, rows, (i) => usageId(trial * 10_000 + i));
      const out = join(dir, 'big.results.csv');
      const args = [input, '-c', '8', '--resume'];
      const context = `seed ${seed}, trial ${trial}`;

      // A first run and a first resume, each killed at a random moment; then a resume that finishes.
      for (const stage of ['run', 'resume']) {
        const before = recordedUpdatedLines(out);
        const mark = sim.requests.length;
        const afterPuts = Math.floor(random() * (rows - before.size));
        const s = sim;
        await runAndKill(args, demoEnv(s), () => putRequests(s, mark).length >= afterPuts);
        const resent = putRequests(sim, mark).filter((r) => before.has(Number(r.trackId?.split('-').pop())));
        expect(resent, `${context}, ${stage}: rows recorded updated were sent again`).toEqual([]);
      }
      const before = recordedUpdatedLines(out);
      const mark = sim.requests.length;
      const final = await runCli(args, { env: demoEnv(sim) });
      expect(final.code, `${context}: ${final.stderr}`).toBe(0);
      const resent = putRequests(sim, mark).filter((r) => before.has(Number(r.trackId?.split('-').pop())));
      expect(resent, `${context}: rows recorded updated were sent again`).toEqual([]);

      const results = await readCsv(out);
      expect(results.map((r) => Number(r.line)), context).toEqual(inputRows.map((_, i) => i + 2));
      expect(results.every((r) => r.result === 'updated'), context).toBe(true);
      expect(existsSync(`${out}.partial`), context).toBe(false);
      for (const [i, text] of inputRows.entries()) {
        const [id, quantity] = text.split(',');
        expect(String(sim.tenant.get(id!)?.Quantity), `${context}, row ${i}`).toBe(quantity);
      }
      await sim.close();
      sim = undefined;
    }
  }, 120_000);

  it('re-sends changed rows and every row that was not updated, keeps the rest', async () => {
    sim = await createSimulator({ acceptAnyId: true, faults: { [usageId(3)]: [{ kind: 'status', status: 400, body: '{"Success":false,"Errors":[{"Code":"INVALID_VALUE","Message":"no"}]}' }] } });
    const { dir, input } = await workdir({ name: 'r.csv', text: '' });
    await writeCorrections(input, 6);
    const first = await runCli([input], { env: demoEnv(sim) });
    expect(first.code).toBe(2);
    // The user fixes nothing but changes row 5's quantity.
    const text = readFileSync(input, 'utf8').replace(`${usageId(4)},4.25`, `${usageId(4)},44.25`);
    await import('node:fs/promises').then((fs) => fs.writeFile(input, text));
    const mark = sim.requests.length;
    const again = await runCli([input, '--resume'], { env: demoEnv(sim) });
    expect(again.code).toBe(0);
    expect(putRequests(sim, mark).map((r) => r.usageId)).toEqual([usageId(3), usageId(4)]);
    expect(again.stderr).toContain('4 rows already updated by an earlier run');
    const results = await readCsv(join(dir, 'r.results.csv'));
    expect(results.map((r) => r.result)).toEqual(Array(6).fill('updated'));
    expect(results[4]?.Quantity).toBe('44.25');
  });

  it('when an earlier row of an Id is sent again, its later rows are sent again after it', async () => {
    const shared = usageId(1);
    sim = await createSimulator({ acceptAnyId: true, faults: { [shared]: [{ kind: 'status', status: 400 }] } });
    const { dir, input } = await workdir({ name: 'd.csv', text: '' });
    // Rows 0 and 2 share an Id: the first fails, the second is updated.
    await writeCorrections(input, 4, (i) => (i === 0 || i === 2 ? shared : usageId(100 + i)));
    const first = await runCli([input], { env: demoEnv(sim) });
    expect(first.code, first.stderr).toBe(2);
    const mark = sim.requests.length;
    const again = await runCli([input, '--resume'], { env: demoEnv(sim) });
    expect(again.code, again.stderr).toBe(0);
    expect(putRequests(sim, mark).map((r) => r.trackId?.split('-').pop())).toEqual(['2', '4']);
    expect(String(sim.tenant.get(shared)?.Quantity)).toBe('2.25');
    expect((await readCsv(join(dir, 'd.results.csv'))).map((r) => r.result)).toEqual(Array(4).fill('updated'));
  });

  it('without a results file is an ordinary run, so a scheduler can always pass it', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const { input } = await workdir({ name: 'n.csv', text: '' });
    await writeCorrections(input, 3);
    const run = await runCli([input, '--resume'], { env: demoEnv(sim) });
    expect(run.code).toBe(0);
    expect(putRequests(sim)).toHaveLength(3);
  });

  it('after an early stop (credentials refused mid-run), --resume finishes the job', async () => {
    sim = await createSimulator({ acceptAnyId: true, latencyMs: 5 });
    const { dir, input } = await workdir({ name: 's.csv', text: '' });
    await writeCorrections(input, 300);
    const revokeAfter = 100;
    const s0 = sim;
    const revoked = waitFor(() => putRequests(s0).length >= revokeAfter, { timeoutMs: 60_000, what: `${revokeAfter} PUTs` }).then(() =>
      s0.revokeAllTokens(),
    );
    const stopped = await runCli([input, '-c', '4'], { env: demoEnv(sim) });
    await revoked;
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toMatch(/refused the credentials/);
    expect(stopped.stderr).toContain('--resume');
    const partial = await readCsv(join(dir, 's.results.csv'));
    expect(partial.length).toBeGreaterThanOrEqual(revokeAfter - 4);
    expect(partial.length).toBeLessThan(300);

    const { port } = sim;
    await sim.close();
    // The same tenant (same URL) with working credentials again.
    sim = await createSimulator({ acceptAnyId: true, port });
    const resumed = await runCli([input, '--resume', '-c', '4'], { env: demoEnv(sim) });
    expect(resumed.code).toBe(0);
    const updatedBefore = partial.filter((r) => r.result === 'updated').length;
    expect(putRequests(sim)).toHaveLength(300 - updatedBefore);
    expect((await readCsv(join(dir, 's.results.csv'))).every((r) => r.result === 'updated')).toBe(true);
  });
});

describe('SIGINT', () => {
  it('lets in-flight requests finish, writes the results, exits 130, and the results match what Zuora applied', async () => {
    sim = await createSimulator({ acceptAnyId: true, latencyMs: 20 });
    const { dir, input } = await workdir({ name: 'i.csv', text: '' });
    await writeCorrections(input, 2000);
    const child = spawnCli([input, '-c', '8'], { env: demoEnv(sim), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const s0 = sim;
    await waitFor(() => putRequests(s0).length >= 200, { timeoutMs: 60_000, what: '200 PUTs' });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('Interrupted');
    expect(stderr).toContain('--resume');
    const results = await readCsv(join(dir, 'i.results.csv'));
    const puts = putRequests(sim);
    expect(puts.length).toBeLessThan(2000);
    expect(puts.every((r) => r.outcome === 'answered')).toBe(true);
    // Every request Zuora answered is in the results as updated, and nothing else is.
    expect(new Set(results.filter((r) => r.result === 'updated').map((r) => r.Id))).toEqual(new Set(puts.map((r) => r.usageId)));
    expect(results.length).toBe(puts.length);
  });

  it('a second signal exits at once, and --resume finishes from what was written', async () => {
    sim = await createSimulator({ acceptAnyId: true, latencyMs: 3000 });
    const { dir, input } = await workdir({ name: 'j.csv', text: '' });
    await writeCorrections(input, 150);
    const out = join(dir, 'j.results.csv');
    const child = spawnCli([input, '-c', '8'], { env: demoEnv(sim) });
    const s0 = sim;
    await waitFor(() => putRequests(s0).length >= 4, { timeoutMs: 60_000, what: '4 PUTs' });
    child.kill('SIGINT');
    // A repeat within a second is the same request (timeout(1) signals the process, then its group).
    child.kill('SIGINT');
    // The only real wait left in this file: the CLI's one-second repeat window is on its own real clock,
    // which a spawned process cannot have injected.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(child.exitCode).toBeNull();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    const recorded = recordedUpdatedLines(out);
    // The same tenant, now answering fast, so the test need not wait out 3 s per request.
    const { port } = sim;
    await sim.close();
    sim = await createSimulator({ acceptAnyId: true, port });
    const mark = sim.requests.length;
    const resumed = await runCli([input, '--resume'], { env: demoEnv(sim) });
    expect(resumed.code, resumed.stderr).toBe(0);
    const resent = putRequests(sim, mark).filter((r) => recorded.has(Number(r.trackId?.split('-').pop())));
    expect(resent).toEqual([]);
    const results = await readCsv(out);
    expect(results).toHaveLength(150);
    expect(results.every((r) => r.result === 'updated')).toBe(true);
  });
});

