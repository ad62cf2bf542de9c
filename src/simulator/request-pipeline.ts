/**
 * The steps every request goes through, in order: counted against the rate limit at arrival (by the
 * server) -> read body -> take a concurrency slot -> latency (skipped when over a limit: Zuora's edge
 * refuses at once) -> authentication -> scripted faults -> limit 429 -> chaos -> the endpoint. The token
 * endpoint skips the limits, latency, authentication and chaos. Every limited answer carries the
 * `RateLimit-*` and `Concurrency-Limit-*` headers of the limits configured.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type Answer, jsonAnswer } from './answers.js';
import { updateIds } from './action-update.js';
import type { Chaos } from './chaos.js';
import { answerRequest, type Endpoints } from './endpoints.js';
import { faultAction, type FaultScript, type LimitReason } from './faults.js';
import { decodeBody, dropConnection, readBody, writeAnswer } from './http-exchange.js';
import type { ConcurrencyLimit, LimitAnswers, RateLimit } from './limits.js';
import type { RequestLog, ReceivedRequest } from './request-log.js';
import { isRoute, type Route } from './routes.js';

export interface PipelineOptions extends Endpoints {
  log: RequestLog;
  faults: FaultScript;
  businessFailureStatus: 200 | 400;
  latencyMs: number;
  now: () => number;
  rateLimit: RateLimit | undefined;
  concurrency: ConcurrencyLimit | undefined;
  concurrencyRetryAfter: number;
  limitAnswers: LimitAnswers;
  chaos: Chaos | undefined;
  /** Every usage id's first PUT is held and applied this many ms after its arrival (`holdFirstUpdateMs`). */
  holdFirstUpdateMs?: number;
}

export class RequestPipeline {
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Requests held by a `hold` fault, applied once due on the simulator's clock. */
  private held: Array<{ dueAt: number; apply: () => void }> = [];
  /** Usage ids whose first PUT came already (`holdFirstUpdateMs`). */
  private readonly firstUpdates = new Set<string>();

  constructor(private readonly options: PipelineOptions) {}

  /** Applies the held requests that are due on the simulator's clock, in the order they arrived. */
  applyHeld(): void {
    if (this.held.length === 0 || this.closed) return;
    const t = this.options.now();
    const due = this.held.filter((h) => h.dueAt <= t);
    if (due.length === 0) return;
    this.held = this.held.filter((h) => h.dueAt > t);
    for (const h of due) h.apply();
  }

  /** Holds a request without an answer and applies it `applyAfterMs` later (the `hold` fault). */
  private hold(req: IncomingMessage, entry: ReceivedRequest, respond: () => Answer, applyAfterMs: number): void {
    entry.outcome = 'hung';
    this.held.push({
      dueAt: this.options.now() + applyAfterMs,
      apply: () => {
        respond();
        entry.appliedLate = true;
        req.socket.destroy();
      },
    });
    // Also with no later request: a timer of as many real ms (a test's virtual clock applies it sooner).
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.applyHeld();
    }, applyAfterMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Whether a request on this route counts against the tenant's limits and draws chaos. */
  static limited(route: Route | Answer): boolean {
    return isRoute(route) && route.kind !== 'token';
  }

  /**
   * Handles one request to its end (answered, dropped or left hanging).
   * @param rateRetryAfter Retry-After seconds when the request arrived over the rate limit, else 0.
   */
  async handle(req: IncomingMessage, res: ServerResponse, entry: ReceivedRequest, route: Route | Answer, rateRetryAfter: number): Promise<void> {
    const { options } = this;
    // A held request due by now lands before this one is handled.
    this.applyHeld();
    const read = await readBody(req);
    if (read === undefined) return; // the client went away mid-body
    entry.rawBodyBytes = read.size;
    const raw = read.body;
    const limitedRoute = RequestPipeline.limited(route);
    const send = (answer: Answer): void => this.send(req, res, entry, answer, limitedRoute);
    if (raw === undefined) return send(jsonAnswer(413, { message: 'Request Entity Too Large' }));
    if (!isRoute(route)) return send(route);
    // Decoded now so that the request log has the body whatever happens next; a body that cannot be
    // decoded is answered at the endpoint step, as Zuora's edge lets it through that far.
    const decoded = decodeBody(raw, entry);
    if (route.kind === 'update' && typeof decoded === 'string') {
      entry.ids = updateIds(decoded);
      options.log.holdIds(res, entry.ids);
    }
    const respond = (): Answer => answerRequest(options, req, res, route, entry, decoded);

    let limited: LimitReason | undefined;
    if (limitedRoute) {
      if (rateRetryAfter > 0) limited = 'rate';
      else if (options.concurrency !== undefined && !options.concurrency.acquire(res)) limited = 'concurrency';
      if (options.latencyMs > 0 && limited === undefined) {
        const wait = options.latencyMs - (performance.now() - entry.startedAt);
        if (wait > 0) await this.sleep(wait);
      }
      if (this.closed) return;
      const refusal = options.oauth.authenticate(req.headers.authorization);
      if (refusal) return send(refusal);
    }

    let step = options.faults.take(route.faultKey);
    if (step === undefined && options.holdFirstUpdateMs !== undefined && route.kind === 'usage' && req.method === 'PUT') {
      const id = route.usageId ?? '';
      if (!this.firstUpdates.has(id)) {
        this.firstUpdates.add(id);
        step = { kind: 'hold', applyAfterMs: options.holdFirstUpdateMs };
      }
    }
    if (step && step.kind !== 'pass') {
      const action = faultAction(step, options.businessFailureStatus);
      switch (action.kind) {
        case 'answer':
          return send(action.answer);
        case 'drop':
          return dropConnection(req, entry);
        case 'hang':
          entry.outcome = 'hung';
          return;
        case 'apply-then-drop':
          respond();
          return dropConnection(req, entry);
        case 'hold':
          return this.hold(req, entry, respond, action.applyAfterMs);
        case 'pass':
          break;
      }
    }

    if (limited !== undefined) {
      entry.limited = limited;
      if (limited === 'rate') options.log.stats.rateLimited += 1;
      else options.log.stats.concurrencyLimited += 1;
      const retryAfter = limited === 'rate' ? rateRetryAfter : options.concurrencyRetryAfter;
      return send(options.limitAnswers.answer(limited, retryAfter));
    }

    const chaos = options.chaos;
    const kind = limitedRoute ? chaos?.next() : undefined;
    if (kind !== undefined && chaos !== undefined) {
      entry.chaos = kind;
      options.log.stats.chaosInjected[kind] += 1;
      switch (kind) {
        case '5xx':
          return send(chaos.serverError());
        case 'lock':
          return send(chaos.lockAnswer);
        case 'drop':
          return dropConnection(req, entry);
        case 'apply-then-drop':
          respond();
          return dropConnection(req, entry);
        case 'slow': {
          const answer = respond();
          await this.sleepWhileOpen(res, chaos.slowMs);
          if (this.closed) return;
          return send(answer);
        }
      }
    }

    send(respond());
  }

  /** Writes an answer, with the limits' headers on routes that count against them (`limited`), and frees the concurrency slot. */
  send(req: IncomingMessage, res: ServerResponse, entry: ReceivedRequest, answer: Answer, limited: boolean): void {
    const { rateLimit, concurrency, now } = this.options;
    let limitHeaders: Record<string, string> | undefined;
    if (limited) {
      limitHeaders = {};
      rateLimit?.addHeaders(now(), limitHeaders);
      // Zuora may leave these out of 5xx answers; the client must cope.
      if (concurrency !== undefined && answer.status < 500) concurrency.addHeaders(limitHeaders);
    }
    if (!writeAnswer(req, res, entry, answer, limitHeaders)) return;
    // Free the slot now, not on 'close': a client answered may send its next request at once.
    concurrency?.release(res);
  }

  /** No request is handled further: pending latency and slow answers end without answering. */
  stop(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Its own sleep, not the client's abortable one: these timers are cancelled all at once by close(). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Like sleep, but over as soon as the connection closes (the client gave up, or close()). */
  private sleepWhileOpen(res: ServerResponse, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.timers.delete(timer);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.timers.add(timer);
      res.once('close', done);
    });
  }
}
