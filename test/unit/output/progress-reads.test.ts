import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { terminalProgress } from '../../../src/output/terminal-progress.js';

it('counts reads beside the rows when the run reads records (--preview, --backup, --verify)', () => {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  let text = '';
  stream.setEncoding('utf8').on('data', (d: string) => (text += d));
  const progress = terminalProgress(stream as unknown as NodeJS.WriteStream, 1000, () => 0);
  progress.tick({ done: 400, failed: 0, bytesRead: 100, reads: 2 });
  progress.stop();
  expect(text).toContain('400 rows (2 reads)');
});
