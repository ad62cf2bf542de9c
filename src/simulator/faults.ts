/**
 * Scripted faults: what a real tenant or its gateway does to a client now and then, queued per usage id
 * and consumed one per request on that id.
 */

import { type Answer, crudErrorAnswer, jsonAnswer, unauthorizedAnswer } from './answers.js';

/** One scripted misbehaviour, used for exactly one request. */
export type FaultStep =
  /** Any status, e.g. 500/502/503/504/408, with an empty (default) or HTML body. */
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  /** Destroy the socket without answering (the client sees a connection reset). */
  | { kind: 'drop' }
  /** Never answer; the socket stays open until the client gives up or the simulator closes. */
  | { kind: 'hang' }
  /**
   * 429 with `Retry-After` (seconds, default 1) and one of the three documented bodies:
   * `v1` rate limit (default), `code` concurrency limit, `crud` Errors envelope.
   */
  | { kind: 'rate-limited'; retryAfterSeconds?: number; shape?: 'v1' | 'code' | 'crud' }
  /** A `Success:false` Errors envelope with this code, e.g. LOCK_COMPETITION; status default: the simulator's business-failure status (400). */
  | { kind: 'zuora-error'; code: string; message?: string; status?: 200 | 400 }
  /** 401 with Zuora's message (default `Authentication error`) and a `WWW-Authenticate` header. */
  | { kind: 'unauthorized'; message?: 'Authentication error' | 'Failed to get user info' }
  /** Handle the request normally (the update is applied), then destroy the socket before answering. */
  | { kind: 'apply-then-drop' }
  /**
   * Hold the request without an answer and apply it `applyAfterMs` after its arrival, on the simulator's
   * clock (`now`), then end its connection: a gateway that works on a request long after the client
   * gave up (Zuora's gives up after 120 s). Applied at the first request arriving once it is due, or by
   * `applyHeld()`, or by a timer of that many real ms.
   */
  | { kind: 'hold'; applyAfterMs: number }
  /** Handle the request normally: a placeholder, so that the next step lands on a later request. */
  | { kind: 'pass' };

/** What the server does for a fault: send an answer, or act on the socket. */
export type FaultAction = { kind: 'answer'; answer: Answer } | { kind: 'drop' | 'hang' | 'apply-then-drop' | 'pass' } | { kind: 'hold'; applyAfterMs: number };

/** Zuora's usual message per error code, for scripted failures that give none. */
export const DEFAULT_MESSAGES: Record<string, string> = {
  LOCK_COMPETITION: 'Operation failed due to a lock competition, please retry later.',
  TEMPORARY_ERROR: 'A temporary error occurred, please retry later.',
  SERVER_UNAVAILABLE: 'The server is temporarily unavailable, please retry later.',
  REQUEST_EXCEEDED_LIMIT: 'Your total number of concurrent requests have exceeded the limit, please retry later.',
  REQUEST_EXCEEDED_RATE: 'Your request rate has exceeded the limit, please retry later.',
  TRANSACTION_TERMINATED: 'The transaction was terminated.',
  UNKNOWN_ERROR: 'An unknown error occurred.',
};

/** Why a 429 was sent: the tenant's request rate, or its requests in flight. */
export type LimitReason = 'rate' | 'concurrency';

/**
 * The 429 bodies Zuora documents: v1 rate limit, concurrency limit, and the CRUD envelope. `reason` only
 * picks the code of the CRUD envelope (`REQUEST_EXCEEDED_RATE` or `REQUEST_EXCEEDED_LIMIT`): the other two
 * bodies are quoted as documented, whatever the reason.
 */
export function rateLimitedAnswer(retryAfterSeconds: number, shape: 'v1' | 'code' | 'crud', reason: LimitReason = 'rate'): Answer {
  const headers = { 'Retry-After': String(retryAfterSeconds) };
  switch (shape) {
    case 'v1':
      return jsonAnswer(
        429,
        {
          success: false,
          reasons: [{ code: 70, message: 'API Rate limit exceeded, please retry after the time in the Retry-After header.' }],
        },
        headers,
      );
    case 'code':
      return jsonAnswer(
        429,
        {
          code: 'REQUEST_EXCEEDED_LIMIT',
          message:
            'Your total number of concurrent requests have exceeded the limit allowed by the system. Please resubmit your request later.',
        },
        headers,
      );
    case 'crud': {
      const error =
        reason === 'rate'
          ? { Code: 'REQUEST_EXCEEDED_RATE', Message: 'Your request rate has exceeded the limit.' }
          : { Code: 'REQUEST_EXCEEDED_LIMIT', Message: 'Your total number of concurrent requests have exceeded the limit.' };
      return { ...crudErrorAnswer(429, [error]), headers };
    }
  }
}

/** Any status with an empty body or a text one (HTML when it starts with `<`, as a gateway sends). */
export function statusAnswer(status: number, body = '', extraHeaders?: Record<string, string>): Answer {
  const headers: Record<string, string> = {};
  if (body !== '') headers['Content-Type'] = body.trimStart().startsWith('<') ? 'text/html' : 'application/json';
  return { status, body, headers: { ...headers, ...extraHeaders } };
}

/** A `Success:false` Errors envelope with one code, and Zuora's usual message for it unless one is given. */
export function zuoraErrorAnswer(code: string, status: 200 | 400, message?: string): Answer {
  return crudErrorAnswer(status, [{ Code: code, Message: message ?? DEFAULT_MESSAGES[code] ?? `Simulated ${code}.` }]);
}

/** How the server carries out one fault step. */
export function faultAction(step: FaultStep, businessFailureStatus: 200 | 400): FaultAction {
  switch (step.kind) {
    case 'status':
      return { kind: 'answer', answer: statusAnswer(step.status, step.body, step.headers) };
    case 'rate-limited':
      return { kind: 'answer', answer: rateLimitedAnswer(step.retryAfterSeconds ?? 1, step.shape ?? 'v1') };
    case 'zuora-error':
      return { kind: 'answer', answer: zuoraErrorAnswer(step.code, step.status ?? businessFailureStatus, step.message) };
    case 'unauthorized':
      return { kind: 'answer', answer: unauthorizedAnswer(step.message ?? 'Authentication error') };
    case 'drop':
    case 'hang':
    case 'apply-then-drop':
    case 'pass':
      return { kind: step.kind };
    case 'hold':
      return { kind: 'hold', applyAfterMs: step.applyAfterMs };
  }
}

/** Fault steps queued per key (a usage id, TOKEN_FAULT_KEY for the token endpoint, or an Actions path). */
export class FaultScript {
  private readonly queues = new Map<string, FaultStep[]>();

  constructor(initial?: Record<string, FaultStep[]>) {
    for (const [key, steps] of Object.entries(initial ?? {})) this.add(key, steps);
  }

  /** Appends steps after those already queued for the key. */
  add(key: string, steps: FaultStep[]): void {
    const queue = this.queues.get(key);
    if (queue) queue.push(...steps);
    else if (steps.length > 0) this.queues.set(key, [...steps]);
  }

  /** The next step for the key, consumed; undefined once the queue is empty. */
  take(key: string): FaultStep | undefined {
    if (this.queues.size === 0) return undefined;
    const queue = this.queues.get(key);
    const step = queue?.shift();
    if (queue?.length === 0) this.queues.delete(key);
    return step;
  }
}

/**
 * A scripted failure of one object of an Actions update: the object's result is `Success:false` with
 * this code (e.g. LOCK_COMPETITION, TEMPORARY_ERROR) and Zuora's usual message unless one is given, and
 * the object is not applied; the other objects of the call are handled normally.
 */
export interface ObjectFault {
  code: string;
  message?: string;
  /** How many update objects on this id fail this way, one after another. Default 1. */
  times?: number;
}

/** Per-object failures queued per usage id, consumed one per update object carrying that id. */
export class ObjectFaultScript {
  private readonly queues = new Map<string, Array<{ code: string; message: string }>>();

  constructor(initial?: Record<string, ObjectFault[]>) {
    for (const [id, faults] of Object.entries(initial ?? {})) this.add(id, faults);
  }

  /** Appends failures after those already queued for the id. */
  add(id: string, faults: ObjectFault[]): void {
    const queue = this.queues.get(id) ?? [];
    for (const fault of faults) {
      const times = fault.times ?? 1;
      if (!(Number.isInteger(times) && times >= 1)) throw new RangeError(`ObjectFault.times must be a whole number >= 1, got ${times}`);
      const message = fault.message ?? DEFAULT_MESSAGES[fault.code] ?? `Simulated ${fault.code}.`;
      for (let n = 0; n < times; n += 1) queue.push({ code: fault.code, message });
    }
    if (queue.length > 0) this.queues.set(id, queue);
  }

  /** The next failure of an object on this id, consumed; undefined once none is queued. */
  take(id: string): { Code: string; Message: string } | undefined {
    if (this.queues.size === 0) return undefined;
    const queue = this.queues.get(id);
    const next = queue?.shift();
    if (queue?.length === 0) this.queues.delete(id);
    return next === undefined ? undefined : { Code: next.code, Message: next.message };
  }
}
