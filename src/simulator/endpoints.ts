/**
 * The last step of a request: the endpoint's own answer (the token endpoint's or the tenant's), once the
 * request got past limits, authentication and faults.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActionQuery } from './action-query.js';
import type { ActionUpdate } from './action-update.js';
import { type Answer, jsonAnswer } from './answers.js';
import type { IdempotencyStore } from './idempotency.js';
import type { OAuthServer } from './oauth.js';
import type { ReceivedRequest } from './request-log.js';
import type { Route } from './routes.js';
import type { Tenant } from './tenant.js';

/** The stages that answer requests. */
export interface Endpoints {
  tenant: Tenant;
  oauth: OAuthServer;
  query: ActionQuery;
  update: ActionUpdate;
  idempotency: IdempotencyStore;
}

/**
 * The endpoint's answer to a request, given its decoded body (or the answer refusing the body). May
 * change the tenant (a PUT, an update call).
 */
export function answerRequest(
  endpoints: Endpoints,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
  entry: ReceivedRequest,
  decoded: string | Answer,
): Answer {
  if (typeof decoded !== 'string') return decoded;
  if (route.kind === 'token') return endpoints.oauth.token(req.headers['content-type'], decoded);
  if (route.kind === 'usage' && req.method === 'GET') return endpoints.tenant.read(route.usageId ?? '');
  const refusal = requireJson(req);
  if (refusal) return refusal;
  const rejectUnknownFields = entry.query.rejectUnknownFields?.toLowerCase() === 'true';
  const key = req.headers['idempotency-key'];
  if (route.kind === 'usage') {
    // Zuora takes Idempotency-Key on POST and PATCH only; a PUT that carries one is refused.
    if (key !== undefined) return endpoints.tenant.refuse([{ Code: 'INVALID_VALUE', Message: 'The Idempotency-Key header is not allowed on PUT requests.' }]);
    return endpoints.tenant.update(route.usageId ?? '', decoded, rejectUnknownFields);
  }

  const action = (): Answer => {
    switch (route.kind) {
      case 'query':
        return endpoints.query.query(decoded, (ids) => (entry.ids = ids));
      case 'query-more':
        return endpoints.query.queryMore(decoded);
      default:
        return endpoints.update.update(decoded, rejectUnknownFields);
    }
  };
  if (typeof key !== 'string') return action();
  const check = endpoints.idempotency.check(key, entry.path, decoded);
  if (check.kind === 'answer') {
    if (check.replayed) entry.replayed = true;
    return check.answer;
  }
  const answer = action();
  endpoints.idempotency.keep(key, entry.path, decoded, answer, res);
  return answer;
}

/** The 415 of a body that is not declared as JSON, or undefined when it is. */
function requireJson(req: IncomingMessage): Answer | undefined {
  const contentType = req.headers['content-type']?.toLowerCase() ?? '';
  if (contentType.startsWith('application/json')) return undefined;
  return jsonAnswer(415, { message: `Unsupported Media Type: send Content-Type: application/json (got ${contentType || 'none'})` });
}
