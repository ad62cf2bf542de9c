/**
 * The lines of one sorted run file, read a small chunk at a time, for the export's merge: the merge
 * holds one reader per run file (100 at 1,000,000 records), and a `readline` over a read stream held
 * a 64 KB buffer and the chunk's decoded lines each, about half a MB a run file (BENCHMARKS.md, "Modes
 * above the floor"). This keeps one chunk of `chunkBytes` and the text not yet handed on.
 */

import { open, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** Bytes read at a time: a run file's lines are a few hundred bytes, so a chunk holds dozens. */
export const RUN_CHUNK_BYTES = 16 * 1024;

/** The lines of a UTF-8 file split at `\n`, without it; a last line without `\n` is handed on too, an empty last line is not. */
export async function* runFileLines(path: string, chunkBytes = RUN_CHUNK_BYTES): AsyncGenerator<string> {
  const file: FileHandle = await open(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(chunkBytes);
    const decoder = new StringDecoder('utf8');
    let text = '';
    for (;;) {
      const { bytesRead } = await file.read(chunk, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      text += decoder.write(bytesRead === chunkBytes ? chunk : chunk.subarray(0, bytesRead));
      let from = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', from)) {
        yield text.slice(from, end);
        from = end + 1;
      }
      text = text.slice(from);
    }
    text += decoder.end();
    if (text !== '') yield text;
  } finally {
    await file.close();
  }
}
