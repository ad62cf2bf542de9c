import { gzipSync } from 'node:zlib';
import type { Got } from 'got';
import { RunError } from '../errors.js';
import type { Logger } from 'pino';
import type { TokenProvider } from './auth.js';
import {
  isTransientUnauthorized,
  networkErrorCode,
  NOT_SENT_NETWORK_CODES,
  parseRetryAfter,
  retryDelay,
  type AttemptFailure,
  type RetryPolicy,
} from './retry-policy.js';
import type { Deadlines } from './deadlines.js';
import type { SecretRedactor } from './secrets.js';
import type { Throttle } from './throttle.js';
import { readPutAnswer, type ZuoraError } from './zuora-errors.js';

const SMALL_BODY_GZIP = { memLevel: 1, windowBits: 9, chunkSize: 1024 } as const;

/** One valid row, ready to send. */
export interface UsageUpdate {
  id: string;
  /** JSON body text, built by map-row.ts with the exact digits the user wrote. */
  body: string;
  /** `Zuora-Track-Id`, the same on every attempt of this row. */
  trackId: string;
}

/** How one row ended after all its attempts. */
export interface PutResult {
  /** `not-sent`: the run stopped before the first attempt could start; the row has no outcome. */
  result: 'updated' | 'failed' | 'unknown' | 'not-sent';
  attempts: number;
  httpStatus?: number;
  errorCode?: string;
  errorMessage?: string;
  requestId?: string;
  /** Set when the credentials were refused: every later row would fail the same way, so the run stops. */
  credentialsRefused?: boolean;
  /** Set when Zuora could not be reached at all on the last attempt (no connection, DNS, TLS). */
  unreachable?: boolean;
}

export interface PutContext {
  client: Got;
  baseUrl: string;
  tokens: TokenProvider;
  /** Optional `Zuora-Entity-Ids`, `Zuora-Org-Ids`, `Zuora-Version` headers, already named. */
  extraHeaders: Record<string, string>;
  gzip: boolean;
  rejectUnknownFields: boolean;
  /** Limit for one attempt, in ms. */
  timeoutMs: number;
  policy: RetryPolicy;
  throttle: Throttle;
  logger: Logger;
  /** Waits between attempts; resolves early when `signal` is aborted. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /** Once aborted (run stopping or interrupted), no further attempt starts: the row keeps its last result. */
  stopSignal?: AbortSignal;
  /** Time limits of attempts in flight; abandoning them (interrupt) makes their rows `unknown`. */
  deadlines: Deadlines;
  /** Scrubs secrets and tokens from server text before it reaches the results. */
  redactor?: SecretRedactor;
}

/**
 * Sends one usage update, retrying what retry-policy.ts calls retryable. Never throws for a row's own
 * failure: the answer becomes the row's result.
 */
export async function putUsage(update: UsageUpdate, ctx: PutContext): Promise<PutResult> {
  const url = `${ctx.baseUrl.replace(/\/+$/, '')}/v1/object/usage/${update.id}${ctx.rejectUnknownFields ? '?rejectUnknownFields=true' : ''}`;
  // Compressed once per row, not per attempt. A body is under 1 KB: a small window and hash table
  // compress it as well as the defaults, without allocating a quarter megabyte of zlib state per row.
  const payload = ctx.gzip ? gzipSync(update.body, SMALL_BODY_GZIP) : Buffer.from(update.body);
  const baseHeaders: Record<string, string> = {
    'content-type': 'application/json',
    'accept-encoding': 'gzip',
    'zuora-track-id': update.trackId,
    ...ctx.extraHeaders,
  };
  if (ctx.gzip) baseHeaders['content-encoding'] = 'gzip';

  let last: PutResult = { result: 'unknown', attempts: 0 };
  for (let attempt = 1; ; attempt++) {
    if (!(await ctx.throttle.acquire(ctx.stopSignal))) return attempt === 1 ? { result: 'not-sent', attempts: 0 } : last;
    let outcome: AttemptOutcome;
    try {
      outcome = await attemptOnce(update, url, payload, baseHeaders, attempt, ctx);
    } finally {
      ctx.throttle.release();
    }
    if ('final' in outcome) return outcome.final;
    if ('interrupted' in outcome) return attempt === 1 ? { result: 'not-sent', attempts: 0 } : last;
    if ('renewed' in outcome) {
      // A 401 with a renewed token: the new token is tried at once, within the attempt budget.
      last = outcome.renewed;
      if (attempt >= ctx.policy.maxAttempts) return last;
      continue;
    }
    last = outcome.last;
    if (last.errorCode === 'ABANDONED') return last;
    const delay = retryDelay(attempt, outcome.retry, ctx.policy, ctx.random, (ctx.now ?? Date.now)());
    if (delay === 'stop' || ctx.stopSignal?.aborted) return last;
    ctx.logger.debug({ id: update.id, trackId: update.trackId, attempt, failure: outcome.retry, delayMs: delay }, 'retrying');
    await ctx.sleep(delay, ctx.stopSignal);
    if (ctx.stopSignal?.aborted) return last;
  }
}

/** What one attempt means for the row: done, retry after a failure, retry with a renewed token, or stop (interrupted before sending). */
type AttemptOutcome = { final: PutResult } | { retry: AttemptFailure; last: PutResult } | { renewed: PutResult } | { interrupted: true };

/** One request and what it means for the row. */
async function attemptOnce(
  update: UsageUpdate,
  url: string,
  payload: Buffer,
  baseHeaders: Record<string, string>,
  attempt: number,
  ctx: PutContext,
): Promise<AttemptOutcome> {
  let token: string;
  try {
    token = await ctx.tokens.token();
  } catch (error) {
    if (error instanceof RunError && error.code === 'INTERRUPTED') return { interrupted: true };
    if (error instanceof RunError && error.code === 'ZUORA_UNREACHABLE') {
      return { final: { result: 'failed', attempts: attempt - 1, errorCode: 'ZUORA_UNREACHABLE', errorMessage: `${error.message} The update was not sent.`, unreachable: true } };
    }
    // The token endpoint refused the credentials while renewing: every later row would fail the same way.
    const message = error instanceof Error ? error.message : String(error);
    return { final: { result: 'failed', attempts: attempt - 1, errorCode: 'AUTH_FAILED', errorMessage: message, credentialsRefused: true } };
  }
  const request = ctx.client.put(url, { body: payload, headers: { ...baseHeaders, authorization: `Bearer ${token}` } });
  const settled = ctx.deadlines.watch(request, ctx.timeoutMs);
  try {
    const response = await request;
    const status = response.statusCode;
    ctx.throttle.observe(status, response.headers);
    const requestId = first(response.headers['zuora-request-id']);
    const answer = readPutAnswer(status, response.body, update.id);
    if (answer.success) {
      ctx.tokens.confirm(token);
      return { final: { result: 'updated', attempts: attempt, httpStatus: status, requestId } };
    }
    if (answer.unexpected !== undefined) {
      // Not Zuora answering (a proxy page, a wrong base URL): whether the update was applied is unknown,
      // and sending it again would meet the same answer. Re-sending later is safe (absolute values).
      const message = ctx.redactor ? ctx.redactor.redact(answer.unexpected) : answer.unexpected;
      return { final: { result: 'unknown', attempts: attempt, httpStatus: status, errorCode: 'UNEXPECTED_ANSWER', errorMessage: message, requestId } };
    }
    const error = redacted(answer.error ?? { message: `HTTP ${status}` }, ctx.redactor);
    const last: PutResult = {
      result: 'failed',
      attempts: attempt,
      httpStatus: status,
      errorCode: error.code,
      errorMessage: error.message,
      requestId,
    };
    if (status === 401 && !isTransientUnauthorized(error.message)) {
      if ((await ctx.tokens.unauthorized(token)) === 'refused') return { final: { ...last, credentialsRefused: true } };
      return { renewed: last };
    }
    const retryAfter = first(response.headers['retry-after']);
    if (status === 429) {
      const wait = parseRetryAfter(retryAfter ?? '', (ctx.now ?? Date.now)());
      if (wait !== undefined) ctx.throttle.pause(Math.min(wait, ctx.policy.maxRetryAfterMs));
    }
    return { retry: { kind: 'http', status, zuoraCode: error.code, zuoraMessage: error.message, retryAfter }, last };
  } catch (error) {
    const canceled = ctx.deadlines.reasonOf(request);
    const code = canceled === 'abandoned' ? 'ABANDONED' : canceled === 'timeout' ? 'ETIMEDOUT' : networkErrorCode(error);
    if (NOT_SENT_NETWORK_CODES.has(code)) {
      const host = new URL(url).host;
      return {
        retry: { kind: 'network', code },
        last: {
          result: 'failed',
          attempts: attempt,
          errorCode: code,
          errorMessage: `could not reach ${host} (${code}); the update was not sent`,
          unreachable: true,
        },
      };
    }
    return {
      retry: { kind: 'network', code },
      last: { result: 'unknown', attempts: attempt, errorCode: code, errorMessage: describeNetworkError(code, ctx.timeoutMs) },
    };
  } finally {
    settled();
  }
}

/** Server text with any secret or token it echoed replaced. */
function redacted(error: ZuoraError, redactor: SecretRedactor | undefined): ZuoraError {
  if (!redactor) return error;
  const message = redactor.redact(error.message);
  return error.code === undefined ? { message } : { code: redactor.redact(error.code), message };
}

function describeNetworkError(code: string, timeoutMs: number): string {
  if (code === 'ABANDONED') return 'the run was interrupted while waiting for the answer; the update may or may not have been applied';
  if (code === 'ETIMEDOUT') return `no answer within ${timeoutMs} ms; the update may or may not have been applied`;
  return `the connection failed (${code}) before an answer; the update may or may not have been applied`;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
