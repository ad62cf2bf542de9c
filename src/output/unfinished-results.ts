import { existsSync, statSync } from 'node:fs';
import type { Logger } from 'pino';
import { RunError } from '../errors.js';
import type { InputEncoding } from '../input/encodings.js';
import { readRows } from '../input/read-rows.js';
import { readRunInfo } from '../resume/run-info.js';
import { journalPath } from '../resume/send-journal.js';
import { inspectResultsFile, openResultsFile } from '../resume/results-file.js';

/**
 * A run without `--resume` writes its results anew. Over the results of a finished run that is what
 * the user asked (a log line names them); over an unfinished run's (rows missing: interrupted, stopped
 * early, killed) it would lose their track ids and the only account of what was sent, and send every
 * row again, so it is refused unless `--overwrite` says to start over (SPEC "Outputs"). Unfinished:
 * the run's `.run.json` does not record its end, or its send journal is still beside the results.
 */
export async function checkEarlierResults(
  out: string,
  options: { overwrite: boolean; input: string; delimiter?: string; encoding?: InputEncoding; logger: Logger },
): Promise<void> {
  // Only a regular file is read: a named pipe would wait for a writer for ever.
  if (!statSync(out, { throwIfNoEntry: false })?.isFile() || (await inspectResultsFile(out, true)) !== 'results') return;
  const info = await readRunInfo(out);
  // Records of earlier versions have no `results` and no end: only their journal can tell.
  const unfinished = existsSync(journalPath(out)) || (info?.results !== undefined && info.completedAt === undefined);
  if (!unfinished) {
    options.logger.info({ results: out }, `replacing the results of a finished earlier run in ${out}`);
    return;
  }
  const held = await countRecords(out);
  const records = await countInputRecords(options);
  const missing = Math.max(0, records - held);
  const what = `${out} holds the results of an unfinished run: ${held} of the ${records} rows of the input are recorded, ${missing} are missing`;
  if (options.overwrite) {
    options.logger.warn({ results: out, held, missing }, `${what}; starting over (--overwrite): every row is sent again and those results are replaced`);
    return;
  }
  throw new RunError(
    'UNFINISHED_RESULTS',
    `${what}${info?.startedAt ? ` (run started ${info.startedAt})` : ''}. They were left unchanged. ` +
      'Run again with --resume to finish that run (rows recorded as updated are not sent again), ' +
      'or with --overwrite to start over and replace them, or choose another --out.',
  );
}

async function countRecords(path: string): Promise<number> {
  const reader = await openResultsFile(path);
  let count = 0;
  try {
    while ((await reader.next()) !== undefined) count++;
  } finally {
    await reader.close();
  }
  return count;
}

async function countInputRecords(options: { input: string; delimiter?: string; encoding?: InputEncoding }): Promise<number> {
  const table = await readRows(options.input, { delimiter: options.delimiter, encoding: options.encoding });
  let count = 0;
  for await (const record of table.records) if (record) count++;
  return count;
}
