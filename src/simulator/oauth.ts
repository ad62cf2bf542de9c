/**
 * `POST /oauth/token` (client credentials) and the bearer check of every API call.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { type Answer, jsonAnswer, unauthorizedAnswer } from './answers.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * Credentials the simulator accepts by default. The secret holds `+`, `/` and `=` so that a client that
 * forgets to URL-encode the form body is refused, as it would be by Zuora.
 */
export const DEMO_CREDENTIALS: ClientCredentials = Object.freeze({
  clientId: 'demo-client-id',
  clientSecret: 'dEm0+s3cret/for=Local+Zuora==',
});

export interface OAuthOptions {
  clients: ClientCredentials[];
  staticTokens: string[];
  lifetimeSeconds: number;
  now: () => number;
  userId: string;
}

const FORM = 'application/x-www-form-urlencoded';
const BEARER = /^Bearer\s+(\S+)\s*$/i;

export class OAuthServer {
  /** Tokens issued by the token endpoint since start. */
  issued = 0;
  private readonly tokens = new Map<string, number>(); // token -> expiry, epoch ms
  private readonly staticTokens: Set<string>;
  private revoked = false;
  private readonly scope: string;

  constructor(private readonly options: OAuthOptions) {
    this.staticTokens = new Set(options.staticTokens);
    this.scope = `user.${options.userId} entity.${randomUUID()} platform.write service.usage.read service.usage.update tenant.9999`;
  }

  /** Answer of `POST /oauth/token`. */
  token(contentType: string | undefined, bodyText: string): Answer {
    if (!contentType?.toLowerCase().startsWith(FORM)) {
      return jsonAnswer(400, {
        error: 'invalid_request',
        error_description: `Content-Type must be ${FORM}, got ${contentType ?? 'none'}`,
      });
    }
    const form = new URLSearchParams(bodyText);
    const grant = form.get('grant_type');
    if (grant === null) return jsonAnswer(400, { error: 'invalid_request', error_description: 'Missing grant_type' });
    if (grant !== 'client_credentials') {
      return jsonAnswer(400, { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${grant}` });
    }
    const clientId = form.get('client_id');
    const clientSecret = form.get('client_secret');
    if (clientId === null || clientSecret === null) {
      return jsonAnswer(400, { error: 'invalid_request', error_description: 'Missing client_id or client_secret' });
    }
    const known = this.options.clients.some((c) => c.clientId === clientId && c.clientSecret === clientSecret);
    if (!known || this.revoked) {
      return jsonAnswer(401, { error: 'invalid_client', error_description: 'Bad client credentials' });
    }
    const token = randomBytes(16).toString('hex');
    this.tokens.set(token, this.options.now() + this.options.lifetimeSeconds * 1000);
    this.issued += 1;
    return jsonAnswer(
      200,
      {
        access_token: token,
        token_type: 'bearer',
        expires_in: this.options.lifetimeSeconds,
        scope: this.scope,
        jti: randomBytes(16).toString('hex'),
      },
      { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
    );
  }

  /** The 401 for a missing, unknown, expired or revoked bearer token, or undefined when it is accepted. */
  authenticate(authorization: string | undefined): Answer | undefined {
    const match = authorization === undefined ? null : BEARER.exec(authorization);
    if (!match) return unauthorizedAnswer('Authentication error', false);
    const token = match[1] ?? '';
    if (this.revoked) return unauthorizedAnswer();
    if (this.staticTokens.has(token)) return undefined;
    const expiry = this.tokens.get(token);
    if (expiry === undefined) return unauthorizedAnswer();
    if (this.options.now() >= expiry) {
      this.tokens.delete(token);
      return unauthorizedAnswer();
    }
    return undefined;
  }

  /** Every token, static ones included, is refused from now on, and so are the client credentials. */
  revokeAll(): void {
    this.revoked = true;
    this.tokens.clear();
  }

  /** Every issued token expires now; the credentials still get new ones. Static tokens are kept. */
  expireAll(): void {
    this.tokens.clear();
  }
}
