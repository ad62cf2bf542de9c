/**
 * The fix to make for the rows of one `error_code`, as the report shows it beside each group of
 * failures. Codes Zuora invents are many; those not listed get advice by the row's result.
 */
const ADVICE: Readonly<Record<string, string>> = {
  QUANTITY_TIMES_1000:
    'The quantity is exactly 1000 × Zuora’s: a spreadsheet read the decimal point as a thousands separator. Re-export with --decimal-comma or format the column as text before saving; pass --allow-times-1000 only if the value is meant.',
  INVALID_ROW: 'Fix the cell named in the message in the failures file, then send the failures file again.',
  INVALID_VALUE: 'Zuora refused a value: fix the cell named in the message, then send the failures file again.',
  INVALID_FIELD: 'Zuora does not know a column: check the header (custom fields end in __c) or drop the column.',
  INVALID_TYPE: 'Zuora refused the object type for this call: with --transport actions, send these rows with --transport put.',
  MISSING_REQUIRED_VALUE: 'A required value is empty: fill the cell, then send the failures file again.',
  BILLED: 'The record is billed (RbeStatus Processed): Zuora refuses standard fields. Editing the file cannot fix it; cancel or reverse the bill run first, or leave the row out.',
  NOT_FOUND: 'Zuora has no usage record with this Id (wrong tenant, entity, or a deleted record): check the Id and --env / --entity-ids.',
  VERIFY_MISMATCH: 'Zuora answered success but holds other values: the cells are right; look for another process changing the record (a workflow, an import) before sending again.',
  NOT_VERIFIED: 'The update was answered success but could not be read back: read it with --preview to check.',
  EARLIER_ATTEMPT_IN_DOUBT: 'An earlier request of this Id got no answer and may still be applied: send again with --resume (or use --settle).',
  UNEXPECTED_ANSWER: 'The answer was not Zuora’s (a proxy page, a wrong base URL): check --env / --base-url, then re-send; re-sending is safe.',
  ABANDONED: 'No answer before the run stopped: the row may or may not be applied; re-sending is safe (--resume).',
  ETIMEDOUT: 'No answer in time: the row may or may not be applied; re-sending is safe (--resume), or raise --timeout.',
  NOT_READ: 'The run stopped before the record was read: preview again.',
  INPUT_CHANGED: 'The input file changed during the run: run again on the saved file.',
  BACKUP_UNWRITABLE: 'The backup could not be written, so nothing was sent: make room or choose another --backup, then --resume.',
  REQUEST_EXCEEDED_LIMIT: 'Zuora’s rate limit was hit after every retry: run again later or with a lower --concurrency (--resume).',
  REQUEST_EXCEEDED_RATE: 'Zuora’s rate limit was hit after every retry: run again later or with a lower --concurrency (--resume).',
  TEMPORARY_ERROR: 'Zuora was busy after every retry: run again later (--resume).',
  SERVER_UNAVAILABLE: 'Zuora was unavailable after every retry: run again later (--resume).',
  AUTH_FAILED: 'The credentials were refused: fix ZUORA_CLIENT_ID/ZUORA_CLIENT_SECRET or ZUORA_ACCESS_TOKEN, then --resume.',
};

/** Codes that lead the report's list of failures, in this order, whatever their count (SPEC: the report lists them first). */
export const LEADING_CODES: readonly string[] = ['QUANTITY_TIMES_1000'];

/** The fix for a group of failed rows with this code and result. */
export function adviceFor(code: string, result: string): string {
  const known = ADVICE[code];
  if (known) return known;
  if (result === 'unknown') return 'The row may or may not be applied: re-sending is safe (send the failures file again, or --resume).';
  if (result === 'invalid') return 'Fix the cell named in the message, then send the failures file again.';
  return 'Zuora refused the row: read the message, fix the cells it names, then send the failures file again.';
}
