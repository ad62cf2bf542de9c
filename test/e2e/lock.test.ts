import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
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

/** A corrections file of `rows` rows in a folder removed after the test, its results and lock paths. */
async function corrections(rows: number): Promise<{ input: string; out: string; lock: string }> {
  const { input } = await workdir({ name: 'l.csv', text: '' });
  await writeCorrections(input, rows);
  const out = input.replace(/\.csv$/, '.results.csv');
  return { input, out, lock: `${out}.lock` };
}

/** A pid that no longer exists: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('runs that overlap', () => {
  it('a second run on the same results file exits 1 at once naming the holder; the first finishes alone', async () => {
    sim = await createSimulator({ acceptAnyId: true, latencyMs: 20 });
    const { input, out, lock } = await corrections(200);
    const first = runCli([input, '--resume', '-c', '2'], { env: demoEnv(sim) });
    const s = sim;
    await waitFor(() => putRequests(s).length >= 1, { timeoutMs: 60_000, what: 'the first PUT' });
    const holder = JSON.parse(readFileSync(lock, 'utf8')) as { pid: number; host: string; startedAt: string };
    expect(holder.host).toBe(hostname());

    const second = await runCli([input, '--resume', '-c', '2'], { env: demoEnv(sim) });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`pid ${holder.pid}`);
    expect(second.stderr).toContain(holder.host);
    expect(second.stderr).toContain(holder.startedAt);
    expect(second.stderr).toContain(lock);

    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    expect(putRequests(sim)).toHaveLength(200);
    expect(await readCsv(out)).toHaveLength(200);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over, with a warning, a lock left by a process that no longer exists on this host', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const { input, out, lock } = await corrections(3);
    const pid = await deadPid();
    await writeFile(lock, JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const run = await runCli([input], { env: demoEnv(sim) });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`taking over the lock .*pid ${pid}`));
    expect(await readCsv(out)).toHaveLength(3);
    expect(existsSync(lock)).toBe(false);
  });

  it('refuses a lock held on another host, and leaves every file as it was', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const { input, out, lock } = await corrections(3);
    const text = JSON.stringify({ pid: 1, host: 'batch-7.example', startedAt: '2026-01-01T00:00:00.000Z' });
    await writeFile(lock, text);
    const run = await runCli([input], { env: demoEnv(sim) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('batch-7.example');
    expect(run.stderr).toContain(`delete ${lock}`);
    expect(putRequests(sim)).toEqual([]);
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(lock, 'utf8')).toBe(text);
  });

  it('a dry run takes the lock of its own output file', async () => {
    const { input, lock } = await corrections(3);
    const dryLock = lock.replace('.results.csv.lock', '.dry-run.csv.lock');
    await writeFile(dryLock, JSON.stringify({ pid: 1, host: 'batch-7.example', startedAt: '2026-01-01T00:00:00.000Z' }));
    const held = await runCli([input, '--dry-run', '--env', 'local']);
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('batch-7.example');
    await rm(dryLock);
    const free = await runCli([input, '--dry-run', '--env', 'local']);
    expect(free.code, free.stderr).toBe(0);
    expect(existsSync(dryLock)).toBe(false);
  });
});

describe('the lock is released on every exit path', () => {
  it('an early stop (exit 3)', async () => {
    sim = await createSimulator({ acceptAnyId: true, faults: { [usageId(0)]: [{ kind: 'status', status: 400 }] } });
    const { input, lock } = await corrections(30);
    const run = await runCli([input, '-c', '1', '--max-failures', '0'], { env: demoEnv(sim) });
    expect(run.code, run.stderr).toBe(3);
    expect(existsSync(lock)).toBe(false);
  });

  it('an error after the lock was taken (exit 1)', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const { input, out, lock } = await corrections(3);
    await writeFile(out, 'not,a,results,file\n');
    const run = await runCli([input, '--resume'], { env: demoEnv(sim) });
    expect(run.code).toBe(1);
    expect(readFileSync(out, 'utf8')).toBe('not,a,results,file\n');
    expect(existsSync(lock)).toBe(false);
  });

  it('SIGINT (exit 130), and a second signal that exits at once', async () => {
    for (const signals of [1, 2]) {
      sim = await createSimulator({ acceptAnyId: true, latencyMs: signals === 1 ? 50 : 3000 });
      const { input, lock } = await corrections(100);
      const child = spawnCli([input, '-c', '4'], { env: demoEnv(sim) });
      const s = sim;
      await waitFor(() => putRequests(s).length >= 4, { timeoutMs: 60_000, what: '4 PUTs' });
      expect(existsSync(lock)).toBe(true);
      child.kill('SIGINT');
      if (signals === 2) {
        // A real wait: the CLI's one-second repeat window (a repeat within it is the same request) is on its own clock.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        child.kill('SIGINT');
      }
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code, `${signals} signal(s)`).toBe(130);
      expect(existsSync(lock), `${signals} signal(s)`).toBe(false);
      await sim.close();
      sim = undefined;
    }
  });
});
