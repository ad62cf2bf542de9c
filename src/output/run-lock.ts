import { createHash, randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { RunError } from '../errors.js';

/**
 * One run at a time per results file (SPEC "Runs that overlap"). Two runs writing the same results
 * would lose rows and send some twice, so a run holds `<out>.lock` from before it writes anything until
 * it ends, however it ends.
 */

/** What a lock file holds: who holds it. */
export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the holder took the lock. */
  startedAt: string;
  /** ISO time the holder last refreshed its lease; absent in locks of earlier versions (never stale by age). */
  refreshedAt?: string;
  /** Random, per lock taken: tells two holders apart that share pid and host (two pid-1 containers). */
  token?: string;
}

/** A lock not refreshed for this long is stale on any host (SPEC "Runs that overlap"). */
export const LOCK_STALE_MS = 60_000;
/** How often the holder refreshes its lease. */
export const LOCK_REFRESH_MS = 10_000;

/** The lock file `<out>.lock` this run holds. */
export interface RunLock {
  path: string;
  /** Writes a fresh `refreshedAt` (done every LOCK_REFRESH_MS on its own). False when the lock is no longer ours. */
  refresh(): boolean;
  /** Removes the lock if it is still ours. Safe to call twice. */
  release(): void;
}

/** Effects of taking the lock, with their production defaults. */
export interface RunLockDeps {
  logger: Logger;
  now?: () => number;
  /** This process. Default: `process.pid` and `os.hostname()`. */
  pid?: number;
  host?: string;
  /** Whether a process exists on this host. Default: `process.kill(pid, 0)`. */
  isAlive?: (pid: number) => boolean;
  /** The option naming the locked file, for the messages. Default `--out`. */
  flag?: string;
  /** Runs `refresh` every `ms`; returns how to stop it. Default: an unref'd setInterval. */
  every?: (ms: number, refresh: () => void) => () => void;
  /** The lock's token. Default: random. */
  token?: string;
  /** For tests of runs meeting a stale lock at once: called between two steps of a takeover. */
  onStep?: (step: 'stale-seen' | 'claimed') => void;
}

/** The lock of a file a run writes (the results file, or the `--backup` file): `<file>.lock`. */
export function lockPath(out: string): string {
  return `${out}.lock`;
}

/**
 * Takes `<out>.lock`, created atomically (O_EXCL) so two runs starting at once cannot both get it, and
 * keeps it as a lease: the holder rewrites its `refreshedAt` every 10 s. A lock is taken over, with a
 * warning, when its holder no longer exists on this host, or when it was not refreshed for 60 s (on
 * any host: a run restarted in another pod, or a container that is pid 1 again). Any other lock is a
 * RunError naming the holder. Of several runs taking over one stale lock at once, exactly one gets it
 * (`claimTakeover`). The lock is also removed when the process exits without releasing it.
 */
export function takeRunLock(out: string, deps: RunLockDeps): RunLock {
  const path = lockPath(out);
  const now = deps.now ?? Date.now;
  const at = new Date(now()).toISOString();
  const me: LockHolder = { pid: deps.pid ?? process.pid, host: deps.host ?? hostname(), startedAt: at, refreshedAt: at, token: deps.token ?? randomUUID() };
  const isAlive = deps.isAlive ?? processExists;
  // Bounded: each round takes the lock, finds a live holder, or removes one stale holder.
  for (let round = 0; round < 5; round++) {
    if (create(path, `${JSON.stringify(me)}\n`)) return held(path, me, deps, now);
    const found = readLock(path);
    if (found === 'absent') continue;
    if (found === 'unreadable') throw lockedError(out, path, found, deps.flag, now());
    const dead = found.host === me.host && found.pid !== me.pid && !isAlive(found.pid);
    const expired = found.refreshedAt !== undefined && now() - Date.parse(found.refreshedAt) >= LOCK_STALE_MS;
    if (!dead && !expired) throw lockedError(out, path, found, deps.flag, now());
    deps.onStep?.('stale-seen');
    if (takeOverStale(path, found, now, deps.onStep)) {
      deps.logger.warn(
        { lock: path, pid: found.pid, host: found.host, startedAt: found.startedAt, refreshedAt: found.refreshedAt },
        dead
          ? `taking over the lock of a run that no longer exists (pid ${found.pid} on ${found.host}, started ${found.startedAt})`
          : `taking over a lock not refreshed for ${Math.round(LOCK_STALE_MS / 1000)} s or more (pid ${found.pid} on ${found.host}, started ${found.startedAt}, last refreshed ${found.refreshedAt})`,
      );
    }
  }
  throw lockedError(out, path, readLock(path), deps.flag, now());
}

function create(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new RunError('OUTPUT_UNWRITABLE', `Cannot create the lock ${path}: ${(error as Error).message}. Choose another --out.`, { cause: error });
  }
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

function held(path: string, me: LockHolder, deps: RunLockDeps, now: () => number): RunLock {
  let released = false;
  const ours = (): boolean => {
    const found = readLock(path);
    return typeof found === 'object' && sameHolder(found, me);
  };
  const refresh = (): boolean => {
    if (released) return false;
    if (!ours()) {
      deps.logger.error({ lock: path }, `the lock ${path} is no longer this run's: another run took it over (this run was not refreshing it for ${LOCK_STALE_MS / 1000} s)`);
      return false;
    }
    // Written beside and renamed into place: a reader never sees a half-written lock.
    const next = `${path}.${me.token}.refresh`;
    try {
      writeFileSync(next, `${JSON.stringify({ ...me, refreshedAt: new Date(now()).toISOString() })}\n`);
      renameSync(next, path);
      return true;
    } catch {
      return false;
    }
  };
  const stop = (deps.every ?? everyUnref)(LOCK_REFRESH_MS, () => void refresh());
  const release = (): void => {
    if (released) return;
    released = true;
    stop();
    process.off('exit', release);
    // Never remove a lock someone else took over (e.g. after ours was deleted by hand).
    try {
      if (ours()) unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
  process.once('exit', release);
  return { path, refresh, release };
}

function everyUnref(ms: number, refresh: () => void): () => void {
  const timer = setInterval(refresh, ms).unref();
  return () => clearInterval(timer);
}

/** The same lock taken: by token, or for locks of earlier versions by pid, host and start. */
function sameHolder(a: LockHolder, b: LockHolder): boolean {
  if (a.token !== undefined || b.token !== undefined) return a.token === b.token;
  return a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt;
}

function readLock(path: string): LockHolder | 'absent' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    return 'unreadable';
  }
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.startedAt === 'string') {
      const lease = typeof value.refreshedAt === 'string' && !Number.isNaN(Date.parse(value.refreshedAt)) ? { refreshedAt: value.refreshedAt } : {};
      return { pid: value.pid, host: value.host, startedAt: value.startedAt, ...lease, ...(typeof value.token === 'string' ? { token: value.token } : {}) };
    }
  } catch {
    // An empty or damaged lock: its holder cannot be known, so it is not taken over.
  }
  return 'unreadable';
}

/**
 * Removes a stale lock, by at most one of the runs that found it stale. Each first creates (O_EXCL) a
 * claim named after that lock (`<lock>.takeover-<digest>-<n>`): exactly one run creates it; the others
 * find it and leave the lock to that run. The winner checks the lock is still the stale one and removes
 * it; then every run races to create its own lock, which O_EXCL gives to one. A claim left by a run
 * that died in between is itself stale after LOCK_STALE_MS, and the next number is claimed.
 */
function takeOverStale(path: string, stale: LockHolder, now: () => number, onStep: RunLockDeps['onStep']): boolean {
  const name = `${path}.takeover-${createHash('sha256').update(JSON.stringify([stale.token, stale.pid, stale.host, stale.startedAt])).digest('hex').slice(0, 16)}`;
  let claim: string | undefined;
  for (let n = 1; n <= 20 && claim === undefined; n++) {
    const candidate = `${name}-${n}`;
    if (create(candidate, `${JSON.stringify({ pid: process.pid, claimedAt: new Date(now()).toISOString() })}\n`)) claim = candidate;
    else if (!claimExpired(candidate, now)) return false;
  }
  if (claim === undefined) return false;
  onStep?.('claimed');
  try {
    const current = readLock(path);
    // Refreshed meanwhile (a holder that was only slow) or replaced: not ours to remove.
    if (typeof current !== 'object' || !sameHolder(current, stale) || current.refreshedAt !== stale.refreshedAt) return false;
    unlinkSync(path);
    return true;
  } finally {
    try {
      unlinkSync(claim);
    } catch {
      // Removed already.
    }
  }
}

function claimExpired(claim: string, now: () => number): boolean {
  try {
    const { claimedAt } = JSON.parse(readFileSync(claim, 'utf8')) as { claimedAt?: string };
    return claimedAt !== undefined && now() - Date.parse(claimedAt) >= LOCK_STALE_MS;
  } catch (error) {
    // Gone: the claimant finished; the lock is re-read in the next round. Torn: its claimant died writing it.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockedError(out: string, path: string, holder: LockHolder | 'absent' | 'unreadable', flag = '--out', now = Date.now()): RunError {
  const lease =
    typeof holder === 'object' && holder.refreshedAt !== undefined
      ? `, last refreshed ${Math.max(0, Math.round((now - Date.parse(holder.refreshedAt)) / 1000))} s ago (a lock not refreshed for ${LOCK_STALE_MS / 1000} s is taken over)`
      : '';
  const who =
    typeof holder === 'object'
      ? `pid ${holder.pid} on host ${holder.host}, started ${holder.startedAt}${lease}`
      : 'a run whose lock file cannot be read';
  return new RunError(
    'RESULTS_LOCKED',
    `Another run is writing ${out}: ${who} (lock ${path}). Wait for it to finish, or give this run another ${flag}. ` +
      `If that run is no longer running (e.g. on another host), delete ${path} and run again.`,
  );
}
