import { gzipSync } from 'node:zlib';
import { retryDelay } from './retry-policy.js';
import type { UsageUpdate } from './transport.js';
import { usageJson } from './usage-json.js';
import { afterNoAnswer, callZuora, type CallAnswer, type CallContext, type SendResult, type Unanswered } from './zuora-call.js';
import { bodyStart, isObject, parseJson, parseZuoraError, type ZuoraError } from './zuora-errors.js';

/** Most objects Zuora takes in one `POST /v1/action/update` (ZUORA-API-NOTES.md "Actions"). */
export const MAX_BATCH_SIZE = 50;

/** A row on its way in an Actions call. */
export interface BatchRow {
  update: UsageUpdate;
  /** Calls that carried the row before this one ("try later" answers). */
  attempts: number;
  /** The row's result after the last call that carried it, if any. */
  last?: SendResult;
}

/** What a call means for one of its rows: settled, or to be sent again in a later call after `delayMs`. */
export type RowVerdict = { settled: SendResult } | { again: SendResult; delayMs: number };

/** The identity of one call: the same on every attempt of it, so Zuora can recognise a repeat. */
export interface BatchCallIds {
  /** `Zuora-Track-Id`: `<prefix>-b<n>`. */
  trackId: string;
  /** `Idempotency-Key`: unique to the call (Zuora answers a repeated key with the first answer for 24 hours). */
  idempotencyKey: string;
}

/** Zuora's answer for one object of the call. */
export type ObjectAnswer = { success: true } | { success: false; error: ZuoraError };

/**
 * Sends `rows` in one `POST /v1/action/update` (through the shared call loop: whole-call retries reuse
 * the call's track id and `Idempotency-Key`), and says what the answer means for each row, matched by
 * position: `Success: true` -> updated; a "try later" code -> sent again in a later call, after the
 * backoff retry-policy.ts gives; any other code -> failed. No answer, or one that cannot be matched to
 * the objects, settles every row with the call's result (`unknown` when nobody can tell what Zuora did).
 */
export async function postUpdateBatch(rows: readonly BatchRow[], ids: BatchCallIds, ctx: CallContext): Promise<RowVerdict[]> {
  const body = updateBatchBody(rows);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'accept-encoding': 'gzip',
    'zuora-track-id': ids.trackId,
    'idempotency-key': ids.idempotencyKey,
    ...ctx.extraHeaders,
  };
  if (ctx.gzip) headers['content-encoding'] = 'gzip';
  const sentIds = rows.map((row) => row.update.id);
  const outcome = await callZuora(
    {
      method: 'post',
      url: `${ctx.baseUrl.replace(/\/+$/, '')}/v1/action/update${ctx.rejectUnknownFields ? '?rejectUnknownFields=true' : ''}`,
      payload: ctx.gzip ? gzipSync(body) : Buffer.from(body),
      headers,
      read: (status, text) => readUpdateAnswer(status, text, sentIds),
      priorAttempts: Math.max(...rows.map((row) => row.attempts)),
      logFields: { trackId: ids.trackId, rows: rows.length },
    },
    ctx,
  );
  const now = (ctx.now ?? Date.now)();
  const again = (row: BatchRow, result: SendResult, failure: Parameters<typeof retryDelay>[1]): RowVerdict => {
    const delay = ctx.stopSignal?.aborted ? 'stop' : retryDelay(result.attempts, failure, ctx.policy, ctx.random, now);
    return delay === 'stop' ? { settled: result } : { again: result, delayMs: delay };
  };

  // A call of an earlier "try later" round, or an attempt of this call, that got no answer: the row's
  // update may be applied, so the row is never `failed` after it.
  const unansweredOf = (row: BatchRow, call: Unanswered | undefined): Unanswered | undefined => {
    const before = row.last?.unanswered;
    if (before === undefined || call === undefined) return call ?? before;
    return call.at >= before.at ? call : before;
  };
  if (!outcome.answered) {
    const { failure, retry } = outcome;
    return rows.map((row) => {
      // Stopped before this call's first attempt: the row keeps what it had (nothing, if never sent).
      if (failure.result === 'not-sent') return { settled: row.last ?? failure };
      let result: SendResult = { ...failure, attempts: row.attempts + failure.attempts, trackId: ids.trackId };
      // A 409 to the last attempt: the call's first request with its Idempotency-Key was still being
      // answered, so it may yet be applied; what happened to the rows is unknown, not failed.
      if (failure.httpStatus === 409) result.result = 'unknown';
      result = afterNoAnswer(result, unansweredOf(row, failure.unanswered));
      // The call's attempts ran out on its most-tried row; a row with attempts left goes in a later call.
      if (retry === undefined || failure.errorCode === 'ABANDONED' || failure.credentialsRefused) return { settled: result };
      return again(row, result, retry);
    });
  }
  return rows.map((row, i) => {
    const answer = outcome.value[i] as ObjectAnswer;
    const unanswered = unansweredOf(row, outcome.unanswered);
    const base = { attempts: row.attempts + outcome.attempts, httpStatus: outcome.httpStatus, requestId: outcome.requestId, trackId: ids.trackId, ...(unanswered ? { unanswered } : {}) };
    if (answer.success) return { settled: { result: 'updated', ...base } };
    const error = ctx.redactor ? { code: answer.error.code, message: ctx.redactor.redact(answer.error.message) } : answer.error;
    const result: SendResult = afterNoAnswer({ result: 'failed', ...base, errorCode: error.code, errorMessage: error.message }, unanswered);
    return again(row, result, { kind: 'http', status: outcome.httpStatus, zuoraCode: error.code, zuoraMessage: error.message });
  });
}

/** The body of an Actions update call: one object a row, its `Id` and fields written with the exact digits (usage-json.ts). */
export function updateBatchBody(rows: readonly BatchRow[]): string {
  let objects = '';
  for (const row of rows) objects += `${objects === '' ? '' : ','}${usageJson(row.update.fields, row.update.id)}`;
  return `{"type":"Usage","objects":[${objects}]}`;
}

/**
 * Reads an Actions update answer for the objects `ids` sent, in order. Only a 2xx JSON array of one
 * `{"Success": ...}` result per object, each naming (when it names one) the Id sent at its position, is
 * Zuora's answer; any other 2xx cannot be matched to the rows (`unexpected`). A non-2xx answer, or a
 * `Success: false` body for the whole call, is Zuora's error for the whole call.
 */
export function readUpdateAnswer(status: number, bodyText: string, ids: readonly string[]): CallAnswer<ObjectAnswer[]> {
  const json = parseJson(bodyText);
  const is2xx = status >= 200 && status < 300;
  if (!is2xx || (isObject(json) && json.Success === false)) return { error: parseZuoraError(status, bodyText, json) };
  const unmatched = (why: string): CallAnswer<ObjectAnswer[]> => ({
    unexpected: `HTTP ${status}: ${why}, so the answer could not be matched to the ${ids.length} rows sent; the body starts: ${bodyStart(bodyText)}`,
  });
  if (!Array.isArray(json)) return unmatched(`not a JSON array of one result per object`);
  if (json.length !== ids.length) return unmatched(`${json.length} results for ${ids.length} objects`);
  const answers: ObjectAnswer[] = [];
  for (const [i, entry] of json.entries()) {
    if (!isObject(entry) || typeof entry.Success !== 'boolean') return unmatched(`result ${i + 1} has no "Success"`);
    if (typeof entry.Id === 'string' && entry.Id.toLowerCase() !== ids[i]?.toLowerCase()) {
      return unmatched(`result ${i + 1} names Id ${entry.Id.slice(0, 40)}, not the Id sent at that position`);
    }
    answers.push(entry.Success ? { success: true } : { success: false, error: parseZuoraError(status, JSON.stringify(entry), entry) });
  }
  return { ok: answers };
}
