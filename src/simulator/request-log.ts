/**
 * What the simulator keeps about the requests it receives: every request as received and answered (so
 * tests assert on what was really sent), the counters of `Simulator.stats`, and one access-log line per
 * finished request.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type ChaosKind, CHAOS_KINDS } from './chaos.js';
import type { LimitReason } from './faults.js';

/** One request the simulator received. */
export interface ReceivedRequest {
  /** Arrival order, from 0, across all routes. */
  seq: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Request headers as received (lowercased names, Authorization kept so tests can check tokens). */
  headers: Record<string, string | string[] | undefined>;
  /** Body size on the wire (gzipped size when gzipped). */
  rawBodyBytes: number;
  contentEncoding?: string;
  /** Decoded body text (empty when the body could not be decoded). */
  body: string;
  /** The `{id}` of a usage path. */
  usageId?: string;
  /** The usage ids an Actions call names, in request order: the `where` ids of a query, the `Id` of each object of an update. */
  ids?: string[];
  /** A request held by a `hold` fault, applied after the client may have given up. */
  appliedLate?: boolean;
  /** An Actions call answered from the `Idempotency-Key` store (nothing applied again). */
  replayed?: boolean;
  /** The `Zuora-Track-Id` header sent, if any. */
  trackId?: string;
  /** `Zuora-Request-Id` of the answer. */
  requestId?: string;
  /** The chaos fault injected into this request, if any. */
  chaos?: ChaosKind;
  /** Refused with 429 by this limit (`rateLimit` or `concurrencyLimit`). */
  limited?: LimitReason;
  /** Status answered; undefined when dropped, hung or still pending. */
  status?: number;
  /** `pending` while being handled (e.g. during latency), then how it ended. */
  outcome: 'pending' | 'answered' | 'dropped' | 'hung';
  /** The connection closed before an answer was fully sent, and not because of a `drop` fault: the client gave up (timeout) or close() ended it. */
  clientClosed?: boolean;
  /** performance.now() at arrival, ms. */
  startedAt: number;
  /** performance.now() when the connection or answer was finished with, ms. For a hung request: when the client (or close()) closed it. */
  finishedAt?: number;
}

export interface SimulatorStats {
  /** Most requests in flight at once, all routes. */
  maxInFlight: number;
  /**
   * Most requests in flight at once on a single usage id: usage GET/PUT on that id and Actions updates
   * carrying it (1 means same-id requests never overlapped).
   */
  maxInFlightPerId: number;
  /** Tokens issued by `POST /oauth/token`. */
  tokensIssued: number;
  /** Requests in flight now. */
  inFlight: number;
  /** Requests received so far (counted even when `recordRequests` is off). */
  received: number;
  /** 429s sent because of `rateLimit` (scripted 429s are not counted). */
  rateLimited: number;
  /** 429s sent because of `concurrencyLimit`. */
  concurrencyLimited: number;
  /** Chaos faults injected so far, per kind. */
  chaosInjected: Record<ChaosKind, number>;
  /** Update objects failed by chaos `objectRate` so far. */
  chaosObjectsFailed: number;
}

export interface RequestLogOptions {
  /** Keep every request in `requests`. */
  recordRequests: boolean;
  logger?: ((line: string) => void) | undefined;
  /** Tokens issued so far, read when `stats.tokensIssued` is. */
  tokensIssued: () => number;
}

/** The recorded requests and the counters, kept up to date from a request's arrival to its connection's close. */
export class RequestLog {
  readonly requests: ReceivedRequest[] = [];
  readonly stats: SimulatorStats;
  private readonly inFlightPerId = new Map<string, number>();

  constructor(private readonly options: RequestLogOptions) {
    this.stats = {
      maxInFlight: 0,
      maxInFlightPerId: 0,
      get tokensIssued() {
        return options.tokensIssued();
      },
      inFlight: 0,
      received: 0,
      rateLimited: 0,
      concurrencyLimited: 0,
      chaosInjected: Object.fromEntries(CHAOS_KINDS.map((kind) => [kind, 0])) as Record<ChaosKind, number>,
      chaosObjectsFailed: 0,
    };
  }

  /** Records a request that has just arrived (its headers, not yet its body). */
  arrive(req: IncomingMessage): ReceivedRequest {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const trackId = req.headers['zuora-track-id'];
    const encoding = req.headers['content-encoding'];
    const entry: ReceivedRequest = {
      seq: this.stats.received,
      method: req.method ?? 'GET',
      path: q === -1 ? url : url.slice(0, q),
      query: q === -1 ? {} : Object.fromEntries(new URLSearchParams(url.slice(q + 1))),
      headers: req.headers,
      rawBodyBytes: 0,
      body: '',
      outcome: 'pending',
      startedAt: performance.now(),
    };
    if (typeof trackId === 'string') entry.trackId = trackId;
    if (encoding !== undefined) entry.contentEncoding = encoding;
    this.stats.received += 1;
    if (this.options.recordRequests) this.requests.push(entry);
    this.stats.inFlight += 1;
    if (this.stats.inFlight > this.stats.maxInFlight) this.stats.maxInFlight = this.stats.inFlight;
    return entry;
  }

  /** Counts the request as in flight on each of `ids` until its connection closes. */
  holdIds(res: ServerResponse, ids: readonly string[]): void {
    // Most calls hold one id (a usage GET/PUT): no Set for those, this runs for every request.
    // Zuora ids compare without letter case: `abc…` and `ABC…` are one record.
    const unique = ids.length === 1 ? [ids[0]!.toLowerCase()] : [...new Set(ids.map((id) => id.toLowerCase()))];
    for (const id of unique) {
      const count = (this.inFlightPerId.get(id) ?? 0) + 1;
      this.inFlightPerId.set(id, count);
      if (count > this.stats.maxInFlightPerId) this.stats.maxInFlightPerId = count;
    }
    res.once('close', () => {
      for (const id of unique) {
        const count = (this.inFlightPerId.get(id) ?? 1) - 1;
        if (count === 0) this.inFlightPerId.delete(id);
        else this.inFlightPerId.set(id, count);
      }
    });
  }

  /** Closes the entry when its connection closes: timing, how it ended, and the access-log line. */
  finish(entry: ReceivedRequest, res: ServerResponse): void {
    this.stats.inFlight -= 1;
    entry.finishedAt = performance.now();
    if (!res.writableFinished && entry.outcome !== 'dropped') entry.clientClosed = true;
    this.options.logger?.(
      `${entry.method} ${entry.path} ${entry.status ?? entry.outcome} ${(entry.finishedAt - entry.startedAt).toFixed(1)}ms` +
        (entry.trackId === undefined ? '' : ` track=${entry.trackId}`),
    );
  }
}
