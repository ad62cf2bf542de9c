import { RunError } from '../errors.js';
import type { TokenProvider } from './auth.js';

/** Why a request ends without its attempt: the token could not be had. */
export interface TokenFailure {
  errorCode: 'ZUORA_UNREACHABLE' | 'AUTH_FAILED';
  errorMessage: string;
  /** The token endpoint could not be reached after its retries: exit 3, like an unreachable API. */
  unreachable?: true;
  /** The credentials were refused while renewing: every later request would fail the same way. */
  credentialsRefused?: true;
}

/**
 * The bearer token for the next attempt of any request (an update or a read): the token; or
 * `interrupted` (the attempt never starts, the request keeps its last result); or why the request ends
 * now, as the error fields of its result.
 */
export async function attemptToken(tokens: TokenProvider, request: 'update' | 'read'): Promise<{ token: string } | { interrupted: true } | { failed: TokenFailure }> {
  try {
    return { token: await tokens.token() };
  } catch (error) {
    if (error instanceof RunError && error.code === 'INTERRUPTED') return { interrupted: true };
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof RunError && error.code === 'ZUORA_UNREACHABLE') {
      return { failed: { errorCode: 'ZUORA_UNREACHABLE', errorMessage: `${message} The ${request} was not sent.`, unreachable: true } };
    }
    return { failed: { errorCode: 'AUTH_FAILED', errorMessage: message, credentialsRefused: true } };
  }
}
