import { describe, expect, it } from 'vitest';
import { runFileLines } from '../../../src/export/run-file-lines.js';
import { fileWith } from '../../helpers/temp-dir.js';

async function linesOf(content: string, chunkBytes: number): Promise<string[]> {
  const path = await fileWith(content, 'run-0.jsonl');
  const lines: string[] = [];
  for await (const line of runFileLines(path, chunkBytes)) lines.push(line);
  return lines;
}

describe('runFileLines', () => {
  // Multi-byte characters (2, 3 and 4 bytes in UTF-8) land across chunk boundaries at every chunk size tried.
  const lines = ['["0001 a",["é","Ünïcødé"]]', '', '["0002 b",["€ 12,5","日本語"]]', `["0003 c",["${'x'.repeat(100)}","😀"]]`, '["0004 d",[]]'];

  it('hands on every line whole, whatever the chunk size, also characters split between two reads', async () => {
    for (const chunkBytes of [1, 2, 3, 5, 7, 16, 64, 4096]) {
      expect(await linesOf(`${lines.join('\n')}\n`, chunkBytes)).toEqual(lines);
    }
  });

  it('hands on a last line without its line break, and nothing for an empty file', async () => {
    expect(await linesOf(lines.join('\n'), 3)).toEqual(lines);
    expect(await linesOf('', 16)).toEqual([]);
  });
});
