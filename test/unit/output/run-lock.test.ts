import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { lockPath, takeRunLock, type RunLockDeps } from '../../../src/output/run-lock.js';
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
    expect(JSON.parse(readFileSync(lockPath(path), 'utf8'))).toEqual({ pid: 100, host: 'h1', startedAt: '2026-11-28T00:00:00.000Z' });
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
