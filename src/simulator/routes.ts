/**
 * Which endpoint a request is for: the paths the simulator answers, and the key its scripted faults are
 * queued under.
 */

import { type Answer, methodNotAllowed, NO_ROUTE } from './answers.js';

/** Fault key of the token endpoint: `script(TOKEN_FAULT_KEY, steps)` makes `POST /oauth/token` misbehave. */
export const TOKEN_FAULT_KEY = '/oauth/token';

const USAGE_PREFIX = '/v1/object/usage/';

/** A request the simulator handles. */
export interface Route {
  /** `token`: the OAuth endpoint; `usage`: `GET`/`PUT /v1/object/usage/{id}`. */
  kind: 'token' | 'usage';
  /** Key of scripted faults. */
  faultKey: string;
  usageId?: string;
}

/** The route of a request, or the answer of a path or method the simulator does not serve. */
export function routeOf(method: string, path: string): Route | Answer {
  if (path === '/oauth/token') {
    return method === 'POST' ? { kind: 'token', faultKey: TOKEN_FAULT_KEY } : methodNotAllowed('POST');
  }
  if (path.startsWith(USAGE_PREFIX)) {
    const usageId = path.slice(USAGE_PREFIX.length);
    if (usageId === '' || usageId.includes('/')) return NO_ROUTE;
    if (method !== 'GET' && method !== 'PUT') return methodNotAllowed('GET, PUT');
    return { kind: 'usage', faultKey: usageId, usageId };
  }
  return NO_ROUTE;
}

/** Whether `routeOf` found a route (rather than an answer). */
export function isRoute(value: Route | Answer): value is Route {
  return 'kind' in value;
}
