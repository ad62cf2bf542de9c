import { writeFileSync } from 'node:fs';
import { RunError } from '../errors.js';

/** Writes `--summary-json` whole (synchronously: it is also written from a signal handler just before exit). */
export function writeSummaryJson(path: string, content: object): void {
  try {
    writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
  } catch (error) {
    throw new RunError('OUTPUT_UNWRITABLE', `Cannot write --summary-json ${path}: ${(error as Error).message}`, { cause: error });
  }
}
