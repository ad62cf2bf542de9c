import type { ChildProcess } from 'node:child_process';
import { spawnCli } from './cli.js';
import { waitFor } from './wait-for.js';

/** A CLI child started by startCli. */
export interface StartedCli {
  child: ChildProcess;
  /** Its stderr so far (empty when started with `stderr: 'ignore'`). */
  stderr(): string;
  /** Its exit code, null when a signal ended it. */
  exited: Promise<number | null>;
  hasExited(): boolean;
  /** Kills it with SIGKILL, at once (a kill -9: nothing of its own runs after). */
  kill(): void;
}

/**
 * Starts the built CLI (with the loopback guard, see cli.ts) for a test that watches it run, signals or
 * kills it.
 */
export function startCli(args: string[], env: Record<string, string>, { stderr = 'pipe' }: { stderr?: 'pipe' | 'ignore' } = {}): StartedCli {
  const child = spawnCli(args, { env, stdio: ['ignore', 'ignore', stderr] });
  let text = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (text += d));
  let done = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      done = true;
      resolve(code);
    }),
  );
  return { child, stderr: () => text, exited, hasExited: () => done, kill: () => child.kill('SIGKILL') };
}

/**
 * Starts the CLI and kills it with SIGKILL once `killWhen()` holds (checked every few ms), or lets it
 * finish first; resolves with its exit code (null when killed). The moment is set by the run's own
 * progress (requests the simulator received, rows recorded), never by the wall clock.
 */
export async function runAndKill(args: string[], env: Record<string, string>, killWhen: () => boolean): Promise<number | null> {
  const cli = startCli(args, env, { stderr: 'ignore' });
  await waitFor(() => cli.hasExited() || killWhen(), { timeoutMs: 60_000, what: "the moment to kill the CLI, or the CLI's exit" });
  if (!cli.hasExited()) cli.kill();
  return cli.exited;
}
