import type { IncomingHttpHeaders } from 'node:http';
import type { TokenProvider } from './auth.js';
import { isTransientUnauthorized, parseRetryAfter, type AttemptFailure, type RetryPolicy } from './retry-policy.js';
import type { Throttle } from './throttle.js';
import type { ZuoraError } from './zuora-errors.js';

/** What an answer that is not a success means for the next attempt. */
export type FailedAnswer =
  /** The credentials are refused: every later request would fail the same way. */
  | { kind: 'refused' }
  /** A 401 renewed the token: try again at once with the new one. */
  | { kind: 'renewed' }
  /** Ask retry-policy.ts whether and when to try again. */
  | { kind: 'retry'; failure: AttemptFailure };

/**
 * The run-wide side of an error answer, the same for every kind of request: a 401 `Authentication
 * error` asks the token provider for one shared renewal, a 429 pauses the whole run for its
 * `Retry-After`. Everything else is left to the retry policy.
 */
export async function afterFailedAnswer(
  status: number,
  headers: IncomingHttpHeaders,
  error: ZuoraError,
  token: string,
  ctx: { tokens: TokenProvider; throttle: Throttle; policy: RetryPolicy; now?: () => number },
): Promise<FailedAnswer> {
  if (status === 401 && !isTransientUnauthorized(error.message)) {
    return (await ctx.tokens.unauthorized(token)) === 'refused' ? { kind: 'refused' } : { kind: 'renewed' };
  }
  const header = headers['retry-after'];
  const retryAfter = Array.isArray(header) ? header[0] : header;
  if (status === 429) {
    const wait = parseRetryAfter(retryAfter ?? '', (ctx.now ?? Date.now)());
    if (wait !== undefined) ctx.throttle.pause(Math.min(wait, ctx.policy.maxRetryAfterMs));
  }
  return { kind: 'retry', failure: { kind: 'http', status, zuoraCode: error.code, zuoraMessage: error.message, retryAfter } };
}
