/**
 * The last step of a request: the endpoint's own answer (the token endpoint's or the tenant's), once the
 * request got past limits, authentication and faults.
 */

import type { IncomingMessage } from 'node:http';
import type { ActionQuery } from './action-query.js';
import { type Answer, jsonAnswer } from './answers.js';
import { decodeBody } from './http-exchange.js';
import type { OAuthServer } from './oauth.js';
import type { ReceivedRequest } from './request-log.js';
import type { Route } from './routes.js';
import type { Tenant } from './tenant.js';

/** The stages that answer requests. */
export interface Endpoints {
  tenant: Tenant;
  oauth: OAuthServer;
  query: ActionQuery;
}

/** The endpoint's answer to a request whose raw body is `raw`. May change the tenant (a PUT). */
export function answerRequest(endpoints: Endpoints, req: IncomingMessage, route: Route, entry: ReceivedRequest, raw: Buffer): Answer {
  const decoded = decodeBody(raw, entry);
  if (typeof decoded !== 'string') return decoded;
  if (route.kind === 'token') return endpoints.oauth.token(req.headers['content-type'], decoded);
  if (route.kind === 'usage' && req.method === 'GET') return endpoints.tenant.read(route.usageId ?? '');
  const refusal = requireJson(req);
  if (refusal) return refusal;
  switch (route.kind) {
    case 'usage':
      return endpoints.tenant.update(route.usageId ?? '', decoded, entry.query.rejectUnknownFields?.toLowerCase() === 'true');
    case 'query':
      return endpoints.query.query(decoded, (ids) => (entry.ids = ids));
    case 'query-more':
      return endpoints.query.queryMore(decoded);
  }
}

/** The 415 of a body that is not declared as JSON, or undefined when it is. */
function requireJson(req: IncomingMessage): Answer | undefined {
  const contentType = req.headers['content-type']?.toLowerCase() ?? '';
  if (contentType.startsWith('application/json')) return undefined;
  return jsonAnswer(415, { message: `Unsupported Media Type: send Content-Type: application/json (got ${contentType || 'none'})` });
}
