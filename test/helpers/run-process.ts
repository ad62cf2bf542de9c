import { spawn } from 'node:child_process';
import { GUARD_ENV } from './loopback-guard.mjs';

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const LOOPBACK_GUARD = new URL('./loopback-guard.mjs', import.meta.url).href;

/**
 * The loopback guard's own two variables (see loopback-guard.mjs): test scaffolding, not settings of
 * the tool, so a run "with nothing but the documented variables" still gets them.
 */
export function guardVariables(): Record<string, string> {
  return { NODE_OPTIONS: `--import=${LOOPBACK_GUARD}`, [GUARD_ENV]: 'exit' };
}

/**
 * Runs a command with exactly `env` plus the loopback guard, nothing inherited (as `env -i` or a
 * scheduler starts it), and collects its output. Every Node process it starts, npm included, refuses
 * to leave the machine.
 */
export function runProcess(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...options.env, ...guardVariables() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
