import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
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
}

/** The lock file `<out>.lock` this run holds. */
export interface RunLock {
  path: string;
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
}

/** The lock of a file a run writes (the results file, or the `--backup` file): `<file>.lock`. */
export function lockPath(out: string): string {
  return `${out}.lock`;
}

/**
 * Takes `<out>.lock`, created atomically (O_EXCL) so two runs starting at once cannot both get it.
 * A lock whose holder no longer exists on this host is taken over with a warning; any other lock is a
 * RunError naming the holder. The lock is also removed when the process exits without releasing it
 * (`process.exit` on a second signal).
 */
export function takeRunLock(out: string, deps: RunLockDeps): RunLock {
  const path = lockPath(out);
  const me: LockHolder = {
    pid: deps.pid ?? process.pid,
    host: deps.host ?? hostname(),
    startedAt: new Date((deps.now ?? Date.now)()).toISOString(),
  };
  const text = `${JSON.stringify(me)}\n`;
  const isAlive = deps.isAlive ?? processExists;
  // Bounded: each round either takes the lock, finds a live holder, or removes one dead holder.
  for (let round = 0; round < 5; round++) {
    if (create(path, text)) return held(path, text);
    const found = readLock(path);
    if (found === 'absent') continue;
    if (found === 'unreadable' || found.host !== me.host || isAlive(found.pid)) throw lockedError(out, path, found, deps.flag);
    if (takeOverDead(path, found)) {
      deps.logger.warn(
        { lock: path, pid: found.pid, host: found.host, startedAt: found.startedAt },
        `taking over the lock of a run that no longer exists (pid ${found.pid} on ${found.host}, started ${found.startedAt})`,
      );
    }
  }
  throw lockedError(out, path, readLock(path), deps.flag);
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

function held(path: string, text: string): RunLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    // Never remove a lock someone else took over (e.g. after ours was deleted by hand).
    try {
      if (readFileSync(path, 'utf8') === text) unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
  process.once('exit', release);
  return { path, release };
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
      return { pid: value.pid, host: value.host, startedAt: value.startedAt };
    }
  } catch {
    // An empty or damaged lock: its holder cannot be known, so it is not taken over.
  }
  return 'unreadable';
}

/**
 * Removes a dead holder's lock. The lock is first moved aside (atomically), so of two runs taking over
 * the same dead lock only one removes it; a live lock moved aside by mistake is put back.
 */
function takeOverDead(path: string, dead: LockHolder): boolean {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return false;
  }
  const moved = readLock(aside);
  const same = moved !== 'absent' && moved !== 'unreadable' && moved.pid === dead.pid && moved.host === dead.host && moved.startedAt === dead.startedAt;
  if (!same) {
    // link, unlike rename, never replaces a lock a third run took meanwhile.
    try {
      linkSync(aside, path);
    } catch {
      // Someone holds the lock now: the next round names them.
    }
    unlinkSync(aside);
    return false;
  }
  unlinkSync(aside);
  return true;
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

function lockedError(out: string, path: string, holder: LockHolder | 'absent' | 'unreadable', flag = '--out'): RunError {
  const who =
    typeof holder === 'object'
      ? `pid ${holder.pid} on host ${holder.host}, started ${holder.startedAt}`
      : 'a run whose lock file cannot be read';
  return new RunError(
    'RESULTS_LOCKED',
    `Another run is writing ${out}: ${who} (lock ${path}). Wait for it to finish, or give this run another ${flag}. ` +
      `If that run is no longer running (e.g. on another host), delete ${path} and run again.`,
  );
}
