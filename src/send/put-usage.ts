import { gzipSync } from 'node:zlib';
import type { UsageUpdate } from './transport.js';
import { usageJson } from './usage-json.js';
import { callZuora, type CallAnswer, type CallContext, type SendResult } from './zuora-call.js';
import { readPutAnswer } from './zuora-errors.js';

/** Zlib settings for bodies under a few KB: as small as the defaults, without a quarter megabyte of zlib state each. */
export const SMALL_BODY_GZIP = { memLevel: 1, windowBits: 9, chunkSize: 1024 } as const;

/**
 * Sends one usage update (`PUT /v1/object/usage/{id}`), retrying what retry-policy.ts calls retryable.
 * Never throws for a row's own failure: the answer becomes the row's result.
 */
export async function putUsage(update: UsageUpdate, ctx: CallContext): Promise<SendResult> {
  const url = `${usagePath(ctx.baseUrl)}${update.id}${ctx.rejectUnknownFields ? '?rejectUnknownFields=true' : ''}`;
  // Written and compressed once per row, not per attempt.
  const json = usageJson(update.fields);
  const payload = ctx.gzip ? gzipSync(json, SMALL_BODY_GZIP) : Buffer.from(json);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'accept-encoding': 'gzip',
    'zuora-track-id': update.trackId,
    ...ctx.extraHeaders,
  };
  if (ctx.gzip) headers['content-encoding'] = 'gzip';
  const outcome = await callZuora({ method: 'put', url, payload, headers, read: (status, body) => readPut(status, body, update.id), logFields: { id: update.id, trackId: update.trackId } }, ctx);
  if (!outcome.answered) return outcome.failure;
  const updated: SendResult = { result: 'updated', attempts: outcome.attempts, httpStatus: outcome.httpStatus, requestId: outcome.requestId };
  // An earlier attempt that got no answer may still land: the Id's later rows are in doubt.
  if (outcome.unanswered) updated.unanswered = outcome.unanswered;
  return updated;
}

/** `<base>/v1/object/usage/` of a base URL, trailing slashes left out; worked out once per run, not once per row. */
let usagePathOf = { baseUrl: '', path: '' };
function usagePath(baseUrl: string): string {
  if (usagePathOf.baseUrl !== baseUrl) usagePathOf = { baseUrl, path: `${baseUrl.replace(/\/+$/, '')}/v1/object/usage/` };
  return usagePathOf.path;
}

/** readPutAnswer in the call loop's terms: a 2xx that is not Zuora's success body for `id` is `unexpected`. */
function readPut(status: number, body: string, id: string): CallAnswer<true> {
  const answer = readPutAnswer(status, body, id);
  if (answer.success) return { ok: true };
  if (answer.unexpected !== undefined) return { unexpected: answer.unexpected };
  return { error: answer.error ?? { message: `HTTP ${status}` } };
}
