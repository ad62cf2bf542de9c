import { RunError } from '../errors.js';
import type { TokenProvider } from './auth.js';

/**
 * The bearer token for the next attempt of any request: the token, or why there is none. An interrupt
 * while a token was being fetched means the attempt never starts; a refusal of the credentials while
 * renewing means every later request would fail the same way.
 */
export async function attemptToken(tokens: TokenProvider): Promise<{ token: string } | { interrupted: true } | { refused: string }> {
  try {
    return { token: await tokens.token() };
  } catch (error) {
    if (error instanceof RunError && error.code === 'INTERRUPTED') return { interrupted: true };
    return { refused: error instanceof Error ? error.message : String(error) };
  }
}
