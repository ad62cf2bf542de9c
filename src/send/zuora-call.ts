/**
 * One call to Zuora with its retries: the loop every transport shares. A call is one request sent again
 * unchanged until it is answered or retry-policy.ts says stop: a usage PUT carrying one row, or an Actions
 * update carrying many. What differs between transports (the URL, the body, how an answer reads) comes in
 * as a `ZuoraCall`; pacing, tokens, time limits, 401 renewal, 429 pauses and backoff are all here.
 */
import type { Got } from 'got';
import type { Logger } from 'pino';
import { RunError } from '../errors.js';
import type { Sleep } from './abortable-sleep.js';
import type { TokenProvider } from './auth.js';
import type { Deadlines } from './deadlines.js';
import {
  isTransientUnauthorized,
  networkErrorCode,
  NOT_SENT_NETWORK_CODES,
  parseRetryAfter,
  retryDelay,
  type AttemptFailure,
  type RetryPolicy,
} from './retry-policy.js';
import type { RetryGauge } from './pushback.js';
import type { SecretRedactor } from './secrets.js';
import type { Throttle } from './throttle.js';
import { headerValue } from './throttle-policy.js';
import type { ZuoraError } from './zuora-errors.js';

/** How one row ended after all its attempts. */
export interface SendResult {
  /**
   * `not-sent`: the run stopped before the first attempt could start; the row has no outcome.
   * `unchanged`: `--skip-unchanged` found Zuora already holding the row's values; nothing was sent.
   */
  result: 'updated' | 'failed' | 'unknown' | 'not-sent' | 'unchanged';
  /** Requests that carried the row. */
  attempts: number;
  httpStatus?: number;
  errorCode?: string;
  errorMessage?: string;
  requestId?: string;
  /** `Zuora-Track-Id` of the call that settled the row, when it is not the row's own (a batch call's). */
  trackId?: string;
  /** Set when the credentials were refused: every later row would fail the same way, so the run stops. */
  credentialsRefused?: boolean;
  /** Set when Zuora could not be reached at all on the last attempt (no connection, DNS, TLS). */
  unreachable?: boolean;
  /**
   * Set when a request for the row got no answer (timeout, connection lost after sending): that request
   * may still be applied later, also after a success of a later attempt. The latest such request.
   */
  unanswered?: Unanswered;
}

/** A request that left and got no answer: Zuora may still apply it (its gateway works on it for up to 120 s). */
export interface Unanswered {
  /** When the request left, epoch ms on the run's clock. */
  at: number;
  /** Why no answer came (ETIMEDOUT, ECONNRESET, ...). */
  code: string;
}

/** Everything a call needs from the run: one HTTP client, tokens, the one throttle, time limits. */
export interface CallContext {
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
  sleep: Sleep;
  /** Random numbers in [0, 1) for the retry jitter. Default `Math.random`. */
  random?: () => number;
  /** The clock, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Once aborted (run stopping or interrupted), no further attempt starts: the call keeps its last result. */
  stopSignal?: AbortSignal;
  /** Time limits of attempts in flight; abandoning them (interrupt) makes their rows `unknown`. */
  deadlines: Deadlines;
  /** Scrubs secrets and tokens from server text before it reaches the results. */
  redactor?: SecretRedactor;
  /** Called once per request sent, so the run counts real requests whatever a request carries. */
  countRequest?: () => void;
  /** Calls waiting for their next attempt, for the progress bar (pushback.ts). */
  retries?: RetryGauge;
}

/** How an answer that arrived reads: Zuora's success (and what it says), Zuora's error, or a 2xx that is not Zuora's answer. */
export type CallAnswer<T> = { ok: T } | { error: ZuoraError } | { unexpected: string };

/** One call: what to send, and how to read the answer. */
export interface ZuoraCall<T> {
  method: 'put' | 'post';
  url: string;
  /** The body as sent (gzipped when gzip is on), built once per call, not per attempt. */
  payload: Buffer;
  /** Every header but Authorization; the same on every attempt (`Zuora-Track-Id`, `Idempotency-Key`). */
  headers: Record<string, string>;
  read(status: number, body: string): CallAnswer<T>;
  /** Requests already made for what this call carries; they count against `maxAttempts`. Default 0. */
  priorAttempts?: number;
  /** Bindings of the retry log lines (id, track id). */
  logFields: Record<string, unknown>;
  /** What the call does, for the messages of calls that got no answer: an update (default) or a read, which changes nothing. */
  purpose?: 'update' | 'read';
}

/**
 * How a call ended: answered by Zuora (`value` is what the answer says), or not, with the result its
 * rows get. `retry` is the failure of the last attempt when it was one retry-policy.ts would retry
 * (the call stopped because its attempts ran out or the run stopped).
 */
export type CallResult<T> =
  | { answered: true; value: T; attempts: number; httpStatus: number; requestId?: string; unanswered?: Unanswered }
  | { answered: false; failure: SendResult; retry?: AttemptFailure };

const NOT_SENT: CallResult<never> = { answered: false, failure: { result: 'not-sent', attempts: 0 } };

/**
 * Sends `call`, again and again while retry-policy.ts says so. Never throws for the call's own failure:
 * it becomes the result.
 */
export async function callZuora<T>(call: ZuoraCall<T>, ctx: CallContext): Promise<CallResult<T>> {
  const prior = call.priorAttempts ?? 0;
  let last: CallResult<T> = { answered: false, failure: { result: 'unknown', attempts: 0 } };
  // The latest attempt that got no answer: it may still be applied, whatever later attempts answered.
  let unanswered: Unanswered | undefined;
  for (let attempt = 1; ; attempt++) {
    // Most attempts find a free slot: taken at once, without a microtask.
    if (!ctx.throttle.tryAcquire(ctx.stopSignal) && !(await ctx.throttle.acquire(ctx.stopSignal))) return attempt === 1 ? NOT_SENT : withUnanswered(last, unanswered);
    let outcome: AttemptOutcome<T>;
    try {
      outcome = await attemptOnce(call, attempt, ctx);
    } finally {
      ctx.throttle.release();
    }
    if ('final' in outcome) return withUnanswered(outcome.final, unanswered);
    if ('interrupted' in outcome) return attempt === 1 ? NOT_SENT : withUnanswered(last, unanswered);
    if ('renewed' in outcome) {
      // A 401 with a renewed token: the new token is tried at once, within the attempt budget.
      last = { answered: false, failure: outcome.renewed };
      if (prior + attempt >= ctx.policy.maxAttempts) return withUnanswered(last, unanswered);
      continue;
    }
    if (outcome.last.unanswered) unanswered = outcome.last.unanswered;
    last = { answered: false, failure: outcome.last, retry: outcome.retry };
    if (outcome.last.errorCode === 'ABANDONED') return withUnanswered(last, unanswered);
    const delay = retryDelay(prior + attempt, outcome.retry, ctx.policy, ctx.random, (ctx.now ?? Date.now)());
    if (delay === 'stop' || ctx.stopSignal?.aborted) return withUnanswered(last, unanswered);
    ctx.logger.debug({ ...call.logFields, attempt, failure: outcome.retry, delayMs: delay }, 'retrying');
    if (ctx.retries) ctx.retries.waiting++;
    try {
      await ctx.sleep(delay, ctx.stopSignal);
    } finally {
      if (ctx.retries) ctx.retries.waiting--;
    }
    if (ctx.stopSignal?.aborted) return withUnanswered(last, unanswered);
  }
}

/** A call's result, with the latest of its requests that got no answer (a function, not a closure per call). */
function withUnanswered<T>(result: CallResult<T>, unanswered: Unanswered | undefined): CallResult<T> {
  if (unanswered === undefined) return result;
  if (result.answered) return { ...result, unanswered };
  return { ...result, failure: afterNoAnswer(result.failure, unanswered) };
}

/**
 * What a row's result means once one of its requests got no answer: that request may have been applied
 * (and may still be), so a row that never got a success is `unknown`, whatever the later attempts
 * answered (refused at connect, 503, 429, LOCK_COMPETITION...): `failed` means known not applied. The
 * code says why no answer came; the message keeps the last answer.
 */
export function afterNoAnswer(result: SendResult, unanswered: Unanswered | undefined): SendResult {
  if (unanswered === undefined) return result;
  if (result.result !== 'failed') return { ...result, unanswered };
  const lastAnswer = result.errorMessage === undefined ? '' : `; the last attempt: ${result.errorCode === undefined ? '' : `${result.errorCode} `}${result.errorMessage}`;
  return {
    ...result,
    result: 'unknown',
    errorCode: unanswered.code,
    errorMessage: `a request sent at ${new Date(unanswered.at).toISOString()} got no answer (${unanswered.code}), so the update may or may not have been applied${lastAnswer}`,
    unanswered,
  };
}

/** What one attempt means for the call: done, retry after a failure, retry with a renewed token, or stop (interrupted before sending). */
type AttemptOutcome<T> =
  | { final: CallResult<T> }
  | { retry: AttemptFailure; last: SendResult }
  | { renewed: SendResult }
  | { interrupted: true };

/** One request and what it means for the call. */
async function attemptOnce<T>(call: ZuoraCall<T>, attempt: number, ctx: CallContext): Promise<AttemptOutcome<T>> {
  let token = ctx.tokens.ready();
  if (token === undefined) {
    try {
      token = await ctx.tokens.token();
    } catch (error) {
      return noToken(error, { result: 'failed', attempts: attempt - 1 }, call.purpose);
    }
  }
  const options = { body: call.payload, headers: { ...call.headers, authorization: `Bearer ${token}` } };
  const sentAt = (ctx.now ?? Date.now)();
  const request = call.method === 'put' ? ctx.client.put(call.url, options) : ctx.client.post(call.url, options);
  ctx.countRequest?.();
  const settled = ctx.deadlines.watch(request, ctx.timeoutMs);
  try {
    const response = await request;
    const status = response.statusCode;
    ctx.throttle.observe(status, response.headers);
    const requestId = headerValue(response.headers, 'zuora-request-id');
    const answer = call.read(status, response.body);
    if ('ok' in answer) {
      ctx.tokens.confirm(token);
      return { final: { answered: true, value: answer.ok, attempts: attempt, httpStatus: status, requestId } };
    }
    if ('unexpected' in answer) {
      // Not Zuora answering (a proxy page, a wrong base URL): whether the update was applied is unknown,
      // and sending it again would meet the same answer. Re-sending later is safe (absolute values).
      const message = ctx.redactor ? ctx.redactor.redact(answer.unexpected) : answer.unexpected;
      return { final: { answered: false, failure: { result: 'unknown', attempts: attempt, httpStatus: status, errorCode: 'UNEXPECTED_ANSWER', errorMessage: message, requestId } } };
    }
    const error = redacted(answer.error, ctx.redactor);
    const last: SendResult = {
      result: 'failed',
      attempts: attempt,
      httpStatus: status,
      errorCode: error.code,
      errorMessage: error.message,
      requestId,
    };
    if (status === 401 && !isTransientUnauthorized(error.message)) {
      let verdict: 'retry' | 'refused';
      try {
        verdict = await ctx.tokens.unauthorized(token);
      } catch (renewal) {
        // Answered 401, so nothing was applied; the renewal itself failed.
        return noToken(renewal, last, call.purpose);
      }
      if (verdict === 'refused') return { final: { answered: false, failure: { ...last, credentialsRefused: true } } };
      return { renewed: last };
    }
    const retryAfter = headerValue(response.headers, 'retry-after');
    if (status === 429) {
      const wait = parseRetryAfter(retryAfter ?? '', (ctx.now ?? Date.now)());
      if (wait !== undefined) ctx.throttle.pause(Math.min(wait, ctx.policy.maxRetryAfterMs));
    }
    return { retry: { kind: 'http', status, zuoraCode: error.code, zuoraMessage: error.message, retryAfter }, last };
  } catch (error) {
    const canceled = ctx.deadlines.reasonOf(request);
    const code = canceled === 'abandoned' ? 'ABANDONED' : canceled === 'timeout' ? 'ETIMEDOUT' : networkErrorCode(error);
    if (NOT_SENT_NETWORK_CODES.has(code)) {
      const host = new URL(call.url).host;
      return {
        retry: { kind: 'network', code },
        last: {
          result: 'failed',
          attempts: attempt,
          errorCode: code,
          errorMessage: `could not reach ${host} (${code}); the ${call.purpose ?? 'update'} was not sent`,
          unreachable: true,
        },
      };
    }
    return {
      retry: { kind: 'network', code },
      last: {
        result: 'unknown',
        attempts: attempt,
        errorCode: code,
        errorMessage: describeNetworkError(code, ctx.timeoutMs, call.purpose),
        // A read changes nothing: an unanswered read leaves nothing in doubt.
        ...(call.purpose === 'read' ? {} : { unanswered: { at: sentAt, code } }),
      },
    };
  } finally {
    settled();
  }
}

/**
 * What a failure to get a token (the first, or a renewal after a 401) means for the call, whose last
 * result so far is `base`: stop quietly when interrupted; a final `failed` row with `unreachable` when
 * the token endpoint is unreachable or failing (nothing was refused: the run ends with exit 3);
 * otherwise the credentials were refused, and every later row would fail the same way.
 */
function noToken<T>(error: unknown, base: SendResult, purpose: ZuoraCall<T>['purpose'] = 'update'): AttemptOutcome<T> {
  if (error instanceof RunError && error.code === 'INTERRUPTED') return { interrupted: true };
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RunError && error.code === 'ZUORA_UNREACHABLE') {
    const failure: SendResult = { ...base, result: 'failed', errorCode: 'ZUORA_UNREACHABLE', errorMessage: `${message} The ${purpose} was not sent.`, unreachable: true };
    return { final: { answered: false, failure } };
  }
  return { final: { answered: false, failure: { ...base, result: 'failed', errorCode: 'AUTH_FAILED', errorMessage: message, credentialsRefused: true } } };
}

/** Server text with any secret or token it echoed replaced. */
function redacted(error: ZuoraError, redactor: SecretRedactor | undefined): ZuoraError {
  if (!redactor) return error;
  const message = redactor.redact(error.message);
  return error.code === undefined ? { message } : { code: redactor.redact(error.code), message };
}

function describeNetworkError(code: string, timeoutMs: number, purpose: ZuoraCall<unknown>['purpose'] = 'update'): string {
  if (purpose === 'read') {
    if (code === 'ABANDONED') return 'the run was interrupted while waiting for the answer to the read';
    if (code === 'ETIMEDOUT') return `no answer to the read within ${timeoutMs} ms`;
    return `the read's connection failed (${code}) before an answer`;
  }
  if (code === 'ABANDONED') return 'the run was interrupted while waiting for the answer; the update may or may not have been applied';
  if (code === 'ETIMEDOUT') return `no answer within ${timeoutMs} ms; the update may or may not have been applied`;
  return `the connection failed (${code}) before an answer; the update may or may not have been applied`;
}
