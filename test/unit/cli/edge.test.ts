import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MAIN_ARG_DEFAULTS, type MainArgs } from '../../../src/cli/build-run-options.js';
import { exitCodeHelp } from '../../../src/cli/command-line.js';
import { SIGNAL_REPEAT_MS, watchInterrupts } from '../../../src/cli/interrupts.js';
import { nextCommands } from '../../../src/cli/next-commands.js';
import { errorExit } from '../../../src/cli/run-error-exit.js';
import { watchRunEnd } from '../../../src/cli/summary-json.js';
import { EXIT, RunError } from '../../../src/errors.js';

const args = (overrides: Partial<MainArgs> = {}): MainArgs => ({ input: 'in.csv', ...MAIN_ARG_DEFAULTS, ...overrides });
const files = { input: 'in.csv', out: 'in.results.csv', failures: 'in.failures.csv' };

describe('exitCodeHelp', () => {
  it('lists every code of EXIT with its meaning, in the table order', () => {
    const lines = exitCodeHelp().split('\n');
    expect(lines[0]).toBe('Exit codes:');
    expect(lines.slice(1).map((line) => Number(line.trim().split(/\s+/)[0]))).toEqual(Object.values(EXIT));
    expect(lines).toContain('  130  interrupted (SIGINT/SIGTERM); run again with --resume');
  });
});

describe('nextCommands', () => {
  it('repeats the target and only the options that differ from their defaults', () => {
    const commands = nextCommands(args({ env: 'us-sandbox', concurrency: 4, maxAttempts: MAIN_ARG_DEFAULTS.maxAttempts, gzip: false }), files);
    expect(commands.sendFailures).toBe('zuora-usage-update in.failures.csv --env us-sandbox --concurrency 4 --no-gzip');
    expect(commands.resume).toBe('zuora-usage-update in.csv --resume --out in.results.csv --env us-sandbox --concurrency 4 --no-gzip');
  });

  it('keeps --transport actions and --batch-size, and leaves out the default --transport put', () => {
    expect(nextCommands(args({ env: 'local', transport: 'actions', batchSize: 20 }), files).send).toBe('zuora-usage-update in.csv --env local --transport actions --batch-size 20');
    expect(nextCommands(args({ env: 'local', transport: 'put' }), files).send).toBe('zuora-usage-update in.csv --env local');
  });

  it('prefers --base-url to --env and quotes what the shell would split', () => {
    const commands = nextCommands(args({ env: 'local', baseUrl: 'http://127.0.0.1:8080', delimiter: ';' }), { ...files, input: 'my file.csv' });
    expect(commands.send).toBe("zuora-usage-update 'my file.csv' --base-url http://127.0.0.1:8080 --delimiter ';'");
  });

  it('keeps every path option given in the commands on this input, and --summary-json in the failures run', () => {
    const paths = { out: 'r.csv', failures: 'f.csv', summaryJson: 's.json' };
    const commands = nextCommands(args({ env: 'local', ...paths }), { input: 'in.csv', ...paths });
    expect(commands.resume).toBe('zuora-usage-update in.csv --resume --out r.csv --failures f.csv --summary-json s.json --env local');
    expect(commands.send).toBe('zuora-usage-update in.csv --out r.csv --failures f.csv --summary-json s.json --env local');
    expect(commands.sendFailures).toBe('zuora-usage-update f.csv --summary-json s.json --env local');
  });
});

describe('errorExit', () => {
  it.each([
    [new RunError('BAD_OPTION', 'bad'), { exitCode: EXIT.couldNotStart, status: 'not-started', code: 'BAD_OPTION', unexpected: false }],
    [new RunError('INTERRUPTED', 'stop'), { exitCode: EXIT.interrupted, status: 'interrupted', code: 'INTERRUPTED', unexpected: false }],
    [new TypeError('boom'), { exitCode: EXIT.stoppedEarly, status: 'stopped', code: 'UNEXPECTED', unexpected: true }],
  ])('%s', (error, expected) => {
    expect(errorExit(error)).toMatchObject(expected);
  });
});

describe('watchInterrupts', () => {
  const setup = () => {
    const emitter = new EventEmitter();
    let now = 0;
    const seen: string[] = [];
    const watch = watchInterrupts({
      emitter: emitter as unknown as Parameters<typeof watchInterrupts>[0]['emitter'],
      now: () => now,
      onFirst: (name) => seen.push(`first ${name}`),
      onRepeat: (name) => seen.push(`repeat ${name}`),
    });
    return { emitter, seen, watch, advance: (ms: number) => (now += ms) };
  };

  it('aborts at the first signal and exits at a second one a second later', () => {
    const { emitter, seen, watch, advance } = setup();
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(watch.signal.aborted).toBe(true);
    advance(SIGNAL_REPEAT_MS);
    emitter.emit('SIGINT', 'SIGINT');
    expect(seen).toEqual(['first SIGTERM', 'repeat SIGINT']);
  });

  it('takes a repeat within the window as the same request (timeout(1) signals child, then group)', () => {
    const { emitter, seen, advance } = setup();
    emitter.emit('SIGTERM', 'SIGTERM');
    advance(SIGNAL_REPEAT_MS - 1);
    emitter.emit('SIGTERM', 'SIGTERM');
    expect(seen).toEqual(['first SIGTERM']);
  });

  it('stops listening once disposed', () => {
    const { emitter, watch } = setup();
    watch.dispose();
    expect(emitter.listenerCount('SIGINT') + emitter.listenerCount('SIGTERM')).toBe(0);
  });
});

describe('watchRunEnd', () => {
  const withFile = async (test: (path: string) => Promise<void>) => {
    const dir = await mkdtemp(join(tmpdir(), 'zuu-summary-'));
    try {
      await test(join(dir, 's.json'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  const read = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const options = { ...files, summaryJson: undefined, target: { kind: 'local' }, entityIds: undefined, orgIds: undefined, zuoraVersion: undefined, dryRun: false, trackPrefix: 't' } as const;
  /** A run end whose log records are collected and whose process exit the test calls. */
  const setup = () => {
    const records: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info', base: undefined }, { write: (line: string) => records.push(JSON.parse(line) as Record<string, unknown>) });
    let exit: ((code: number) => void) | undefined;
    const end = watchRunEnd({ logger, version: '1.2.3', now: () => 0, onExit: (listener) => (exit = listener) });
    return { end, records, exit: (code: number) => exit?.(code) };
  };

  it('says running at once, and an exit before the end replaces it with how the process ended, then logs "run finished"', () =>
    withFile(async (path) => {
      const { end, records, exit } = setup();
      end.learn({ path, options });
      end.running();
      expect(await read(path)).toMatchObject({ schema: 1, status: 'running', input: files.input, outputs: { results: files.out, failures: files.failures } });
      exit(EXIT.interrupted);
      expect(await read(path)).toMatchObject({ status: 'interrupted', exitCode: EXIT.interrupted, input: files.input, error: { code: 'INTERRUPTED' } });
      expect(records.at(-1)).toMatchObject({ msg: 'run finished', status: 'interrupted', exitCode: EXIT.interrupted });
    }));

  it('ends once: an exit after the final status leaves it as it is', () =>
    withFile(async (path) => {
      const { end, records, exit } = setup();
      end.learn({ path, options });
      end.failed({ exitCode: EXIT.couldNotStart, status: 'not-started', code: 'BAD_OPTION', message: 'bad' });
      exit(EXIT.couldNotStart);
      expect(await read(path)).toMatchObject({ status: 'not-started', exitCode: EXIT.couldNotStart, error: { code: 'BAD_OPTION' } });
      expect(records.filter((r) => r.msg === 'run finished')).toHaveLength(1);
    }));

  it('writes no summary JSON before its path is known (an output path refused), but still logs "run finished"', () =>
    withFile(async (path) => {
      const { end, records } = setup();
      end.failed({ exitCode: EXIT.couldNotStart, status: 'not-started', code: 'BAD_OPTION', message: 'same file' });
      await expect(readFile(path)).rejects.toThrow(/ENOENT/);
      expect(records.at(-1)).toMatchObject({ msg: 'run finished', exitCode: EXIT.couldNotStart, errorCode: 'BAD_OPTION' });
    }));
});
