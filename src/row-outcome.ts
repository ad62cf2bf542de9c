/** What happened to one input record; one line of the results CSV. */

export type RowResult = 'updated' | 'failed' | 'unknown' | 'invalid' | 'valid' | PreviewResult;

/** Results of `--preview` rows besides `invalid` (and `failed` when the read failed). */
export type PreviewResult = 'would-update' | 'unchanged' | 'blocked' | 'not-found';

/**
 * Rows per result. The results of a real run or a dry run are always there; preview results are
 * counted from their first row on, so a plain run's counts keep their five keys.
 */
export type ResultCounts = Record<Exclude<RowResult, PreviewResult>, number> & Partial<Record<PreviewResult, number>>;

/** Results that mean the row needs nothing more: exit 0 when every row has one of them. */
export const DONE_RESULTS: ReadonlySet<RowResult> = new Set<RowResult>(['updated', 'valid', 'would-update', 'unchanged']);

/** What became of one input record: a results row. */
export interface RowOutcome {
  /** Position of the record among the data records, 0-based; results are written in this order. */
  seq: number;
  /** First line of the record in the input file (header = line 1). */
  line: number;
  /** Every input cell exactly as read (result columns of an earlier run excluded). */
  cells: string[];
  /** The usage Id cell as read (trimmed), used to keep later rows of a failed Id in the failures file. */
  id: string;
  result: RowResult;
  errorCode?: string;
  errorMessage?: string;
  httpStatus?: number;
  /** Requests sent for this row (0 for invalid, valid and resumed rows). */
  attempts: number;
  trackId?: string;
  requestId?: string;
  /** Cells of extra columns written between the input cells and the result columns (`--preview`'s `before_<Field>`). */
  extraCells?: string[];
  /**
   * Result cells recorded by an earlier run and kept as they were (`--resume`: a row already `updated`
   * is not sent again). Written verbatim instead of the fields above.
   */
  recorded?: string[];
}

/** The result columns appended to every results and failures row, in this order (SPEC "Outputs"). */
export const RESULT_COLUMNS = [
  'result',
  'error_code',
  'error_message',
  'http_status',
  'attempts',
  'track_id',
  'request_id',
  'line',
] as const;
