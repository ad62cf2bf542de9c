/**
 * When to try a row again, and how long to wait first. Pure: the caller passes the random source and
 * the clock, so tests can pin every delay.
 */
import { DEFAULTS } from '../options.js';

/** HTTP statuses worth another try: the request may succeed unchanged a little later. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([
  408, // request timeout at a proxy or Zuora's edge
  409, // a repeat of an Idempotency-Key whose first request is still in progress: Zuora's idempotency guide says retry later
  429, // rate or concurrency limit: wait for Retry-After
  500, // Zuora's internal error, usually transient
  502, // bad gateway in front of Zuora
  503, // service unavailable (maintenance, overload)
  504, // gateway timeout (Zuora's gateway gives up after 120 s)
]);

/**
 * Network error codes after which the request may or may not have reached Zuora. The usage PUT sets
 * absolute values, so sending it again is safe.
 */
export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT', // our per-attempt timeout (got) or the OS gave up
  'ECONNRESET', // connection dropped, often a keep-alive socket closed by the server
  'ECONNREFUSED', // nothing listening right now (restarting proxy)
  'EPIPE', // wrote to a socket the server had closed
  'EADDRINUSE', // ran out of local ports for a moment
  'ENOTFOUND', // DNS hiccup
  'EAI_AGAIN', // DNS temporarily unavailable
  'ENETUNREACH', // network briefly down
  'EHOSTUNREACH', // route briefly down
  'ECONNABORTED', // connection aborted locally
  'ERR_STREAM_PREMATURE_CLOSE', // the answer was cut off mid-body
  'ERR_READING_RESPONSE_STREAM', // got: the answer broke off while being read
]);

/**
 * Network error codes that mean the request never reached Zuora: no connection or no TLS session was
 * made. The row is known not to be applied (`failed`, not `unknown`).
 */
export const NOT_SENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', // nothing listening
  'ENOTFOUND', // no such host
  'EAI_AGAIN', // DNS temporarily unavailable
  'ENETUNREACH', // no route to the network
  'EHOSTUNREACH', // no route to the host
  'CERT_HAS_EXPIRED', // TLS: the server's certificate expired
  'DEPTH_ZERO_SELF_SIGNED_CERT', // TLS: self-signed certificate (a proxy?)
  'SELF_SIGNED_CERT_IN_CHAIN', // TLS: corporate proxy without its CA installed
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', // TLS: incomplete chain
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', // TLS: missing CA
  'ERR_TLS_CERT_ALTNAME_INVALID', // TLS: certificate for another host
]);

/** Zuora `Success:false` codes that mean "try later", whatever the HTTP status. */
export const TRY_LATER_CODES: ReadonlySet<string> = new Set([
  'LOCK_COMPETITION', // another transaction holds a lock on the record
  'TEMPORARY_ERROR', // Zuora says so itself
  'SERVER_UNAVAILABLE', // Zuora is overloaded or in maintenance
  'REQUEST_EXCEEDED_LIMIT', // concurrency limit (429 body variant)
  'REQUEST_EXCEEDED_RATE', // rate limit (429 body variant)
]);

/**
 * Zuora answers some 401s with `Failed to get user info`: a hiccup of its identity service, not a bad
 * token. Those are retried as they are; any other 401 means the token must be renewed.
 */
export function isTransientUnauthorized(message: string | undefined): boolean {
  return message !== undefined && /failed to get user info/i.test(message);
}

/** Why an attempt did not succeed. */
export type AttemptFailure =
  | { kind: 'network'; code: string }
  | {
      kind: 'http';
      status: number;
      /** Zuora's error code from the body, if any. */
      zuoraCode?: string;
      /** Zuora's error message from the body, if any. */
      zuoraMessage?: string;
      /** The raw `Retry-After` header, if any. */
      retryAfter?: string;
    };

/** How many attempts a row gets and how long the backoff between them may grow. */
export interface RetryPolicy {
  /** Attempts per row, the first included. Default `DEFAULTS.maxAttempts` (options.ts). */
  maxAttempts: number;
  /** First backoff ceiling in ms; doubles each attempt. Default 1000 (Zuora's guidance). */
  baseDelayMs: number;
  /** Largest backoff ceiling in ms. Default 60000 (Zuora's guidance). */
  maxDelayMs: number;
  /** Largest `Retry-After` honoured, in ms; longer ones are clamped. Default 600000 (10 minutes). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: DEFAULTS.maxAttempts,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 600_000,
};

/** Whether this failure is worth another attempt at all (ignoring the attempt count). */
export function isRetryable(failure: AttemptFailure): boolean {
  if (failure.kind === 'network') return RETRYABLE_NETWORK_CODES.has(failure.code);
  if (RETRYABLE_STATUSES.has(failure.status)) return true;
  if (failure.status === 401) return isTransientUnauthorized(failure.zuoraMessage);
  return failure.zuoraCode !== undefined && TRY_LATER_CODES.has(failure.zuoraCode);
}

/**
 * Milliseconds to wait before attempt `attempt + 1`, or `'stop'`. `attempt` is the number of attempts
 * made so far (1 after the first). Exponential backoff with full jitter (a uniform pick between 0 and
 * the ceiling, so many clients that failed together do not come back together), and never less than
 * the server's `Retry-After`.
 */
export function retryDelay(
  attempt: number,
  failure: AttemptFailure,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  random: () => number = Math.random,
  now: number = Date.now(),
): number | 'stop' {
  if (attempt >= policy.maxAttempts || !isRetryable(failure)) return 'stop';
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(random() * ceiling);
  if (failure.kind === 'http' && failure.retryAfter !== undefined) {
    const serverWait = parseRetryAfter(failure.retryAfter, now);
    if (serverWait !== undefined) return Math.max(Math.min(serverWait, policy.maxRetryAfterMs), jittered);
  }
  return jittered;
}

/**
 * A `Retry-After` value in ms from `now`: delta-seconds or an HTTP date (RFC 9110). Undefined when
 * unreadable; 0 for a date in the past.
 */
export function parseRetryAfter(value: string, now: number = Date.now()): number | undefined {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The code of a network failure, never the error object itself (got errors carry request headers). */
export function networkErrorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return 'ERR_NETWORK';
}
