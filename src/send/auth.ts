import type { Got } from 'got';
import type { Logger } from 'pino';
import { RunError } from '../errors.js';
import { abortableSleep, type Sleep, type WaitEffects } from './abortable-sleep.js';
import { networkErrorCode, retryDelay, type AttemptFailure, type RetryPolicy } from './retry-policy.js';
import type { SecretRedactor } from './secrets.js';
import { headerValue } from './throttle-policy.js';
import { parseZuoraError } from './zuora-errors.js';

/** Where the bearer token comes from. Secrets only ever come from the environment. */
export type Credentials =
  | { kind: 'client'; clientId: string; clientSecret: string }
  | { kind: 'token'; token: string };

/** The bearer tokens of the run: one cached token, renewed before it expires, one fetch shared by all callers. */
export interface TokenProvider {
  /** The bearer token to send now. Fetches or renews it first when needed; concurrent callers share one fetch. */
  token(): Promise<string>;
  /** The token to send now when it needs no fetch or renewal (the usual case), without waiting a microtask; else undefined. */
  ready(): string | undefined;
  /**
   * A request made with `used` was answered 401 `Authentication error`. Resolves `'retry'` once a newer
   * token is ready, or `'refused'` when the credentials themselves are refused (a static token, or a
   * token fetched after a 401 that is refused before any request succeeded with it).
   */
  unauthorized(used: string): Promise<'retry' | 'refused'>;
  /** A request made with `used` succeeded: the token is proven good. */
  confirm(used: string): void;
  /** Token requests made so far. */
  readonly tokenRequests: number;
}

/** Where and how tokens are fetched, and the retry policy of the token requests. */
export interface TokenProviderOptions extends WaitEffects {
  credentials: Credentials;
  baseUrl: string;
  client: Got;
  timeoutMs: number;
  policy: RetryPolicy;
  logger: Logger;
  /** Once aborted (interrupt), a token request waiting to be retried gives up with RunError INTERRUPTED. */
  signal?: AbortSignal;
  /** Learns the secret and every token, and scrubs them from server text in messages. */
  redactor?: SecretRedactor;
}

interface CachedToken {
  value: string;
  /** When to stop using it (ms since epoch): expiry minus a safety margin. */
  renewAt: number;
  /** Fetched because a request was answered 401. */
  afterUnauthorized: boolean;
  confirmed: boolean;
}

/**
 * Renews this long before `expires_in` runs out: the smaller of 60 s and a tenth of the lifetime, which
 * suits both Zuora's one-hour tokens and the simulator's few-second test tokens.
 */
export function renewalMargin(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs / 10);
}

/** A provider for `credentials`: a static token as given, or client credentials fetched at `/oauth/token` when first needed. */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const { credentials } = options;
  options.redactor?.add(credentials.kind === 'token' ? credentials.token : credentials.clientSecret);
  if (credentials.kind === 'token') {
    return {
      token: async () => credentials.token,
      ready: () => credentials.token,
      unauthorized: async () => 'refused',
      confirm: () => {},
      tokenRequests: 0,
    };
  }
  return new ClientCredentialsTokens(options, credentials);
}

class ClientCredentialsTokens implements TokenProvider {
  tokenRequests = 0;
  private current: CachedToken | undefined;
  private pending: Promise<CachedToken> | undefined;
  private readonly now: () => number;
  private readonly sleep: Sleep;

  constructor(
    private readonly options: TokenProviderOptions,
    private readonly credentials: { clientId: string; clientSecret: string },
  ) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
  }

  async token(): Promise<string> {
    return this.ready() ?? (await this.renew(false)).value;
  }

  ready(): string | undefined {
    const current = this.current;
    return current && this.now() < current.renewAt ? current.value : undefined;
  }

  async unauthorized(used: string): Promise<'retry' | 'refused'> {
    const current = this.current;
    if (current && current.value !== used) return 'retry';
    if (current?.afterUnauthorized && !current.confirmed) return 'refused';
    try {
      await this.renew(true);
      return 'retry';
    } catch (error) {
      if (error instanceof RunError && error.code === 'AUTH_FAILED') return 'refused';
      throw error;
    }
  }

  confirm(used: string): void {
    if (this.current?.value === used) this.current.confirmed = true;
  }

  /** One token request at a time, whoever asks: a burst of 401s must not mint a burst of tokens. */
  private renew(afterUnauthorized: boolean): Promise<CachedToken> {
    this.pending ??= this.fetchToken(afterUnauthorized).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchToken(afterUnauthorized: boolean): Promise<CachedToken> {
    const { client, baseUrl, timeoutMs, policy, logger } = this.options;
    const url = new URL('oauth/token', withSlash(baseUrl));
    for (let attempt = 1; ; attempt++) {
      this.tokenRequests++;
      let failure: AttemptFailure;
      try {
        const response = await client.post(url, {
          form: {
            client_id: this.credentials.clientId,
            client_secret: this.credentials.clientSecret,
            grant_type: 'client_credentials',
          },
          timeout: { request: timeoutMs },
        });
        if (response.statusCode === 200) {
          const token = this.readToken(response.body, url.origin);
          this.options.redactor?.add(token.value);
          logger.debug({ expiresInSeconds: token.lifetimeMs / 1000, afterUnauthorized }, 'obtained an OAuth token');
          this.current = {
            value: token.value,
            renewAt: this.now() + token.lifetimeMs - renewalMargin(token.lifetimeMs),
            afterUnauthorized,
            confirmed: false,
          };
          return this.current;
        }
        const error = parseZuoraError(response.statusCode, this.options.redactor?.redact(response.body) ?? response.body);
        if (response.statusCode === 400 || response.statusCode === 401 || response.statusCode === 403) {
          throw new RunError(
            'AUTH_FAILED',
            `Zuora refused the client credentials (HTTP ${response.statusCode}${error.code ? ` ${error.code}` : ''}: ${error.message}). ` +
              'Check ZUORA_CLIENT_ID and ZUORA_CLIENT_SECRET and that the OAuth client belongs to this environment (--env / --base-url).',
          );
        }
        failure = { kind: 'http', status: response.statusCode, zuoraCode: error.code, retryAfter: headerValue(response.headers, 'retry-after') };
      } catch (error) {
        if (error instanceof RunError) throw error;
        failure = { kind: 'network', code: networkErrorCode(error) };
      }
      const delay = retryDelay(attempt, failure, policy, this.options.random);
      if (delay === 'stop') {
        const what = failure.kind === 'http' ? `HTTP ${failure.status}` : failure.code;
        // Not a refusal: Zuora is unreachable or failing, which is exit 3 whenever it happens.
        throw new RunError(
          'ZUORA_UNREACHABLE',
          `Could not get an OAuth token from ${url.origin} after ${attempt} attempts (last: ${what}); Zuora is unreachable or failing, nothing was refused.`,
        );
      }
      logger.warn({ attempt, failure, delayMs: delay }, 'token request failed; retrying');
      await this.sleep(delay, this.options.signal);
      if (this.options.signal?.aborted) throw new RunError('INTERRUPTED', 'Interrupted while getting an OAuth token.');
    }
  }

  private readToken(body: string, origin: string): { value: string; lifetimeMs: number } {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const record = (parsed ?? {}) as { access_token?: unknown; expires_in?: unknown };
    if (typeof record.access_token !== 'string' || record.access_token === '') {
      // Not a refusal (that is a 400/401): something else answered, such as a proxy's page. Telling the
      // user to fix the credentials would send them the wrong way; like an outage, it is exit 3.
      const start = (this.options.redactor?.redact(body) ?? body).replace(/\s+/g, ' ').trim().slice(0, 200);
      throw new RunError(
        'ZUORA_UNREACHABLE',
        `The OAuth token endpoint ${origin} answered 200 without an access_token, so something other than Zuora answered ` +
          `(a proxy page, a wrong --base-url); nothing was refused. The body starts: ${start === '' ? '(empty)' : start}`,
      );
    }
    const seconds = typeof record.expires_in === 'number' && record.expires_in > 0 ? record.expires_in : 3599;
    return { value: record.access_token, lifetimeMs: seconds * 1000 };
  }
}

function withSlash(baseUrl: string): string {
  return baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
}
