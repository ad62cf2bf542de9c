import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI, childEnv, demoEnv, inputFile, ROOT, workdir } from '../helpers/cli.js';
import { usageId } from '../helpers/sender.js';
import { waitFor } from '../helpers/wait-for.js';
import { pendingRecord, simulatorPerTest } from '../helpers/with-simulator.js';
import { putRequests } from '../helpers/received-requests.js';

const start = simulatorPerTest();
const SCRIPT = '/usr/bin/script';
const CLEAR_LINE = `\r${String.fromCharCode(27)}[2K`;

/** Single-quotes an argument for `sh -c`. */
const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the built CLI on a pseudo-terminal (util-linux `script`), as a person at a terminal runs it:
 * stderr is a TTY, so the progress bar is drawn and the text format is the default.
 */
function onTerminal(args: string[], env: Record<string, string> = {}) {
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  // No --log-format: the default of a terminal.
  const child = spawn(SCRIPT, ['-qec', command, '/dev/null'], {
    cwd: ROOT,
    env: { ...childEnv({ ZUORA_USAGE_LOG_FORMAT: '', ...env }), COLUMNS: '120', TERM: 'xterm' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (data: string) => (output += data));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** What the screen shows at the end: every cleared line removed, as the terminal renders it. */
function screen(output: string): string[] {
  const lines = [''];
  for (const piece of output.replace(/\r\n/g, '\n').split(new RegExp(`(${CLEAR_LINE.replace('[', '\\[')}|\n)`))) {
    if (piece === CLEAR_LINE) lines[lines.length - 1] = '';
    else if (piece === '\n') lines.push('');
    else lines[lines.length - 1] += piece;
  }
  return lines;
}

describe.skipIf(!existsSync(SCRIPT))('on a terminal (a pseudo-terminal)', () => {
  it('draws the bar with the total, then one clean summary block and no "run finished" record', async () => {
    const { input } = await workdir('usage-corrections.csv');
    const run = onTerminal([input, '--env', 'local']);
    expect(await run.exited).toBe(0);
    const output = run.output();
    expect(output).toContain(' / 300 rows');
    const shown = screen(output);
    // The summary's first line is its own, with no bar text left in it.
    expect(shown).toContain('zuora-usage-update: Finished.');
    expect(shown.filter((line) => line.includes('zuora-usage-update: Finished.'))).toHaveLength(1);
    expect(output).not.toContain('run finished');
    // Nothing of the bar stays on the screen.
    expect(shown.some((line) => line.includes('rows/s |'))).toBe(false);
  });

  it('Ctrl-C: the hint is a readable line of its own, the bar stays below it, and the summary starts clean', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => usageId(i + 1));
    const s = await start({ records: ids.map((id) => pendingRecord(id)), latencyMs: 100 });
    const { input } = await inputFile('slow.csv', ['Id,Quantity', ...ids.map((id) => `${id},5`)]);
    const run = onTerminal([input, '-c', '1'], demoEnv(s));
    await waitFor(() => putRequests(s).length >= 3, { timeoutMs: 20_000, what: 'three updates sent' });
    // Ctrl-C typed on the terminal: the line discipline sends SIGINT to the run.
    run.child.stdin.write('\u0003');
    expect(await run.exited).toBe(130);
    const shown = screen(run.output());
    const hint = shown.find((line) => line.includes('press Ctrl-C again to stop at once'));
    expect(hint).toBeDefined();
    expect(hint).not.toContain('rows/s');
    expect(shown).toContain('zuora-usage-update: Interrupted: in-flight requests were allowed to finish.');
    expect(shown.some((line) => line.includes('rows/s |'))).toBe(false);
    expect(run.output()).not.toContain('run finished');
  });
});
