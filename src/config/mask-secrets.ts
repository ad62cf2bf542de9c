/**
 * How settings are shown where a person or a log pipeline reads them (`--print-config`, the summary
 * JSON): secrets never, identifiers only by their end, URLs without the parts that can carry a secret.
 */

/** A secret (client secret, bearer token): whether it is set, never a character of it. */
export function maskSecret(value: string | undefined): string {
  return value === undefined || value.trim() === '' ? 'not set' : 'set (hidden)';
}

/**
 * An identifier such as an OAuth client id: its last 4 characters, enough to tell two apart, and its
 * length. One of 8 characters or fewer shows none (4 would be half of it), and says so (README "Settings").
 */
export function maskIdentifier(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return 'not set';
  const trimmed = value.trim();
  return trimmed.length <= 8 ? `set (${trimmed.length} characters: too short to show its last 4)` : `…${trimmed.slice(-4)} (${trimmed.length} characters)`;
}

/**
 * A URL without user info, query or fragment, which is where a token could hide (`?access_token=`).
 * Text that is no URL is returned as `(not a URL)`: it could be anything.
 */
export function urlWithoutSecrets(text: string): string {
  try {
    const url = new URL(text);
    const hidden = url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '';
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}${hidden ? ' (user, query or fragment hidden)' : ''}`;
  } catch {
    return '(not a URL)';
  }
}
