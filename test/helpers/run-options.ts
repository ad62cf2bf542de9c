import { join } from 'node:path';
import pino from 'pino';
import { DEFAULTS, type RunOptions } from '../../src/options.js';
import type { RunDeps } from '../../src/run.js';
import { DEMO_CREDENTIALS, type Simulator } from '../../src/simulator/create-simulator.js';
import { virtualClock } from './virtual-clock.js';

/** Run options for `input` against a simulator, with the CLI's defaults. */
export function runOptions(input: string, sim: Simulator, overrides: Partial<RunOptions> = {}): RunOptions {
  const stem = input.replace(/\.csv$/, '');
  return {
    input,
    out: `${stem}.results.csv`,
    failures: `${stem}.failures.csv`,
    target: { kind: 'url', baseUrl: sim.url },
    credentials: { kind: 'client', ...DEMO_CREDENTIALS },
    concurrency: DEFAULTS.concurrency,
    maxAttempts: DEFAULTS.maxAttempts,
    timeoutMs: DEFAULTS.timeoutMs,
    dryRun: false,
    resume: false,
    trackPrefix: 'it',
    gzip: true,
    rejectUnknownFields: true,
    ignoreUnknownColumns: false,
    ...overrides,
  };
}

/**
 * A virtual clock for `run`: backoff sleeps advance it instead of waiting. It follows real time as
 * well (requests on real sockets take real time); see virtual-clock.ts for a clock that does not.
 */
export function virtualTime(): Pick<RunDeps, 'now' | 'sleep'> & { slept: () => number } {
  const { now, sleep, slept } = virtualClock({ realTime: true });
  return { now, sleep, slept };
}

export const quietLogger = pino({ level: 'silent' });

export function resultsPath(dir: string, name: string): string {
  return join(dir, name.replace(/\.csv$/, '.results.csv'));
}
