import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LOCK_REFRESH_MS, LOCK_STALE_MS, lockPath, takeRunLock, type RunLock, type RunLockDeps } from '../../../src/output/run-lock.js';
import { tempDir } from '../../helpers/temp-dir.js';

async function out(): Promise<string> {
  const dir = await tempDir('zuu-lock-');
  return join(dir, 'r.results.csv');
}

/** A logger that keeps its messages, and a fixed identity: host h1, pid 100, a fixed clock. */
function deps(extra: Partial<RunLockDeps> = {}): RunLockDeps & { logs: string[] } {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  return { logger: pino(sink), pid: 100, host: 'h1', now: () => Date.UTC(2026, 10, 28), isAlive: () => true, logs, ...extra };
}

const holder = (pid: number, host = 'h1') => JSON.stringify({ pid, host, startedAt: '2026-11-27T00:00:00.000Z' });

describe('takeRunLock', () => {
  it('creates <out>.lock holding pid, host and start time, and removes it on release', async () => {
    const path = await out();
    const lock = takeRunLock(path, deps());
    expect(lock.path).toBe(`${path}.lock`);
    expect(JSON.parse(readFileSync(lockPath(path), 'utf8'))).toEqual({
      pid: 100,
      host: 'h1',
      startedAt: '2026-11-28T00:00:00.000Z',
      refreshedAt: '2026-11-28T00:00:00.000Z',
      token: expect.any(String),
    });
    lock.release();
    lock.release();
    expect(existsSync(lockPath(path))).toBe(false);
  });

  it.each([
    ['a live process on this host', holder(7), /pid 7 on host h1, started 2026-11-27T00:00:00.000Z/],
    ['a process on another host (whether it lives cannot be known)', holder(7, 'h2'), /pid 7 on host h2/],
    ['an unreadable lock', '{"pid":', /lock file cannot be read/],
  ])('refuses a lock held by %s, naming the holder and leaving the lock alone', async (_name, text, message) => {
    const path = await out();
    writeFileSync(lockPath(path), text);
    expect(() => takeRunLock(path, deps({ isAlive: (pid) => pid === 7 }))).toThrow(message);
    expect(() => takeRunLock(path, deps())).toThrow(expect.objectContaining({ code: 'RESULTS_LOCKED' }));
    expect(readFileSync(lockPath(path), 'utf8')).toBe(text);
  });

  it('takes over the lock of a process that no longer exists on this host, with a warning', async () => {
    const path = await out();
    writeFileSync(lockPath(path), holder(7));
    const d = deps({ isAlive: () => false });
    const lock = takeRunLock(path, d);
    expect(JSON.parse(readFileSync(lockPath(path), 'utf8'))).toMatchObject({ pid: 100 });
    expect(d.logs.join('')).toMatch(/taking over the lock of a run that no longer exists \(pid 7 on h1/);
    lock.release();
  });

  it('a second taker in the same process is refused while the first holds it', async () => {
    const path = await out();
    const first = takeRunLock(path, deps());
    expect(() => takeRunLock(path, deps({ pid: 101 }))).toThrow(/pid 100 on host h1/);
    first.release();
    takeRunLock(path, deps({ pid: 101 })).release();
  });

  it('release never removes a lock another run took meanwhile', async () => {
    const path = await out();
    const lock = takeRunLock(path, deps());
    writeFileSync(lockPath(path), holder(55));
    lock.release();
    expect(readFileSync(lockPath(path), 'utf8')).toBe(holder(55));
  });
});

describe('the lock is a lease (SPEC "Runs that overlap")', () => {
  const T0 = Date.UTC(2026, 10, 28);
  /** A lock as a live holder refreshed it `ageMs` before T0. */
  const leased = (pid: number, host: string, ageMs: number) =>
    JSON.stringify({ pid, host, startedAt: '2026-11-27T00:00:00.000Z', refreshedAt: new Date(T0 - ageMs).toISOString(), token: `t-${pid}-${host}` });
  /** Refresh timers the test runs by hand. */
  const timers = () => {
    const refreshes: Array<() => void> = [];
    return { refreshes, every: (ms: number, refresh: () => void) => (expect(ms).toBe(LOCK_REFRESH_MS), refreshes.push(refresh), () => undefined) };
  };

  it.each([
    ['another host', 2, 'h2'],
    ['this host, pid 1 again (a container restarted in place, alive: itself)', 1, 'h1'],
  ])('a lock of %s not refreshed for 60 s is taken over; one refreshed 59 s ago is not', async (_name, pid, host) => {
    const path = await out();
    writeFileSync(lockPath(path), leased(pid, host, LOCK_STALE_MS - 1000));
    expect(() => takeRunLock(path, deps({ pid: 1, now: () => T0, every: timers().every }))).toThrow(/last refreshed 59 s ago/);
    writeFileSync(lockPath(path), leased(pid, host, LOCK_STALE_MS));
    const d = deps({ pid: 1, now: () => T0, every: timers().every });
    const lock = takeRunLock(path, d);
    expect(d.logs.join('')).toMatch(/taking over a lock not refreshed for 60 s or more/);
    expect(JSON.parse(readFileSync(lockPath(path), 'utf8'))).toMatchObject({ pid: 1, host: 'h1', refreshedAt: new Date(T0).toISOString() });
    lock.release();
    expect(existsSync(lockPath(path))).toBe(false);
  });

  it('a holder that refreshes every 10 s is never stale, even to a run with its own pid and host name', async () => {
    const path = await out();
    let clock = T0;
    const t = timers();
    const lock = takeRunLock(path, deps({ pid: 1, now: () => clock, every: t.every, token: 'first' }));
    for (let i = 0; i < 30; i++) {
      clock += LOCK_REFRESH_MS;
      for (const refresh of t.refreshes) refresh();
      expect(() => takeRunLock(path, deps({ pid: 1, now: () => clock, every: timers().every, token: 'second' }))).toThrow(/last refreshed 0 s ago/);
    }
    expect(lock.refresh()).toBe(true);
    lock.release();
  });

  it('a holder whose lock was taken over learns it at its next refresh and leaves the new lock alone', async () => {
    const path = await out();
    let clock = T0;
    const first = takeRunLock(path, deps({ now: () => clock, every: timers().every, token: 'first' }));
    clock += LOCK_STALE_MS;
    const second = takeRunLock(path, deps({ pid: 101, now: () => clock, every: timers().every, token: 'second' }));
    expect(first.refresh()).toBe(false);
    first.release();
    expect(JSON.parse(readFileSync(lockPath(path), 'utf8'))).toMatchObject({ token: 'second' });
    second.release();
  });

  it.each([
    ['each run finds the lock stale before the next takes it over', 'stale-seen'],
    ['a run claims the takeover while another finds the lock stale', 'claimed'],
  ] as const)('three runs meeting one stale lock at once: exactly one holds it (%s)', async (_name, step) => {
    const path = await out();
    writeFileSync(lockPath(path), leased(7, 'h2', LOCK_STALE_MS * 2));
    const holders: RunLock[] = [];
    const refused: string[] = [];
    // Run `pid` takes the lock; at `step` it lets run `next` do the same, to the end, before going on.
    const attempt = (pid: number, next?: () => void): void => {
      let interleaved = false;
      const onStep = (at: string): void => {
        if (at !== step || interleaved || !next) return;
        interleaved = true;
        next();
      };
      try {
        holders.push(takeRunLock(path, deps({ pid, now: () => T0, every: timers().every, token: `run-${pid}`, onStep })));
      } catch (error) {
        refused.push(`${pid}: ${(error as Error).message.slice(0, 40)}`);
      }
    };
    attempt(1, () => attempt(2, () => attempt(3)));
    // A run that finds the takeover claimed leaves without claiming: run 3 then starts after it.
    if (holders.length + refused.length < 3) attempt(3);
    expect(holders).toHaveLength(1);
    expect(refused).toHaveLength(2);
    const token = (JSON.parse(readFileSync(lockPath(path), 'utf8')) as { token: string }).token;
    expect(holders[0]!.refresh()).toBe(true);
    expect(token).toMatch(/^run-/);
    for (const lock of holders) lock.release();
    expect(existsSync(lockPath(path))).toBe(false);
  });
});
