import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { terminalProgress } from '../../../src/output/terminal-progress.js';

function fakeTerminal() {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; columns: number; cursorTo: () => boolean; clearLine: () => boolean; moveCursor: () => boolean };
  stream.isTTY = true;
  stream.columns = 120;
  stream.cursorTo = () => true;
  stream.clearLine = () => true;
  stream.moveCursor = () => true;
  let text = '';
  stream.setEncoding('utf8').on('data', (d: string) => (text += d));
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

describe('terminalProgress', () => {
  it('shows rows done, rows per second, rows not updated and an ETA from the bytes read', () => {
    let t = 0;
    const terminal = fakeTerminal();
    const progress = terminalProgress(terminal.stream, 1000, () => t);
    t = 10_000;
    progress.tick({ done: 500, failed: 3, bytesRead: 250 });
    progress.stop();
    expect(terminal.text()).toContain('500 rows');
    expect(terminal.text()).toContain('50 rows/s');
    expect(terminal.text()).toContain('3 not updated');
    // A quarter of the bytes in 10 s: 30 s to go.
    expect(terminal.text()).toContain('ETA 30s');
  });
});
