/**
 * Which endpoint a request is for: the paths the simulator answers, and the key its scripted faults are
 * queued under.
 */

import { type Answer, methodNotAllowed, NO_ROUTE } from './answers.js';

/** Fault key of the token endpoint: `script(TOKEN_FAULT_KEY, steps)` makes `POST /oauth/token` misbehave. */
export const TOKEN_FAULT_KEY = '/oauth/token';

/** Fault key of `POST /v1/action/query`: `script(ACTION_QUERY_FAULT_KEY, steps)` makes whole query calls misbehave. */
export const ACTION_QUERY_FAULT_KEY = '/v1/action/query';

/** Fault key of `POST /v1/action/queryMore`. */
export const ACTION_QUERY_MORE_FAULT_KEY = '/v1/action/queryMore';

/** Fault key of `POST /v1/action/update`: scripted steps hit whole update calls (see ObjectFault for one object of a call). */
export const ACTION_UPDATE_FAULT_KEY = '/v1/action/update';

const USAGE_PREFIX = '/v1/object/usage/';

/** The Actions paths and their route kinds. */
const ACTIONS: Record<string, ActionKind> = {
  [ACTION_QUERY_FAULT_KEY]: 'query',
  [ACTION_QUERY_MORE_FAULT_KEY]: 'query-more',
  [ACTION_UPDATE_FAULT_KEY]: 'update',
};

/** The SOAP-backed Actions calls the simulator answers. */
export type ActionKind = 'query' | 'query-more' | 'update';

/** A request the simulator handles. */
export interface Route {
  /** `token`: the OAuth endpoint; `usage`: `GET`/`PUT /v1/object/usage/{id}`; else a `POST /v1/action/...` call. */
  kind: 'token' | 'usage' | ActionKind;
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
  const action = ACTIONS[path];
  if (action !== undefined) return method === 'POST' ? { kind: action, faultKey: path } : methodNotAllowed('POST');
  return NO_ROUTE;
}

/** Whether `routeOf` found a route (rather than an answer). */
export function isRoute(value: Route | Answer): value is Route {
  return 'kind' in value;
}
