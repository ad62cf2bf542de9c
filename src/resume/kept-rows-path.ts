/**
 * The scratch file of a resumed run, `<out>.kept-rows`: the rows of the earlier results that the run
 * may keep (id-sequences.ts), beside the results file like its other side files, so that a run killed
 * with `kill -9` leaves it where the next run on that `--out` removes it, never in the system's temp
 * folder. Named from the whole results file name, as the other side files are (side-files.ts).
 */
export function keptRowsPath(out: string): string {
  return `${out}.kept-rows`;
}

/** The first line of every scratch file: tells a later run the file is this tool's, to remove (side-files.ts). */
export const KEPT_ROWS_MARK = 'zuora-usage-update kept rows\n';
