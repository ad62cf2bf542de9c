/**
 * The built-in Zuora simulator: a real HTTP server on loopback that answers `POST /oauth/token` and
 * `GET`/`PUT /v1/object/usage/{id}` as Zuora does (see ZUORA-API-NOTES.md), with scripted faults, and
 * records every request so tests assert on what was really sent.
 *
 * Each usage request goes through these steps, in order: record and count against the rate limit ->
 * read body -> take a concurrency slot -> latency (skipped when over a limit: Zuora's edge refuses at
 * once) -> authentication -> scripted faults -> limit 429 -> chaos -> tenant. Every usage answer carries
 * the `RateLimit-*` and `Concurrency-Limit-*` headers of the limits configured.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type Answer, jsonAnswer, methodNotAllowed, NO_ROUTE } from './answers.js';
import { Chaos, type ChaosKind, CHAOS_KINDS } from './chaos.js';
import { type FaultStep, FaultScript, faultAction, type LimitReason } from './faults.js';
import { fixtureTenantRecords } from './fixture-tenant.js';
import { ConcurrencyLimit, LimitAnswers, type LimitBodyShape, RateLimit } from './limits.js';
import { type ClientCredentials, DEMO_CREDENTIALS, OAuthServer } from './oauth.js';
import { API_USER_ID, Tenant, type UsageRecord } from './tenant.js';

export type { ChaosKind } from './chaos.js';
export type { FaultStep } from './faults.js';
export type { LimitBodyShape } from './limits.js';
export type { UsageRecord } from './tenant.js';
export type { ClientCredentials } from './oauth.js';
export { DEMO_CREDENTIALS } from './oauth.js';

/** Fault key of the token endpoint: `script(TOKEN_FAULT_KEY, steps)` makes `POST /oauth/token` misbehave. */
export const TOKEN_FAULT_KEY = '/oauth/token';

/** Zuora gzips answers over this many bytes when the client accepts gzip. */
export const GZIP_THRESHOLD_BYTES = 1000;

/** Request bodies above this are refused with 413 (a usage PUT body is well under 1 KB). */
const MAX_BODY_BYTES = 1024 * 1024;

const USAGE_PREFIX = '/v1/object/usage/';

const LIMIT_BODY_SHAPES: readonly LimitBodyShape[] = ['v1', 'code', 'crud', 'rotate'];

export interface SimulatorOptions {
  /** TCP port on 127.0.0.1. Default 0: a free port chosen by the system. */
  port?: number;
  /** The seeded tenant's usage records. Default: the fixture tenant in `fixtures/tenant.json`. */
  records?: UsageRecord[];
  /** A well-formed 32-character id that is not in the tenant is created (as a Pending record) on first GET or PUT. Default false: unknown ids are refused. */
  acceptAnyId?: boolean;
  /** Client credentials the token endpoint accepts. Default: `[DEMO_CREDENTIALS]`. */
  clients?: ClientCredentials[];
  /** Bearer tokens accepted as is and never expiring (like `ZUORA_ACCESS_TOKEN`). Default none. */
  staticTokens?: string[];
  /** Lifetime of issued tokens in seconds, sent as `expires_in`. Default 3599 (Zuora's one hour). */
  tokenLifetimeSeconds?: number;
  /** The tenant's fixed UTC offset, `±HH:MM`; date-times are stored and returned in it. Default `-08:00`. */
  tenantTimeZone?: string;
  /** Units of measure the tenant defines; a PUT with another UOM is refused. Default: Each, GB, MB, TB, API Calls, Minutes, Hours, Seats, Units, Transactions, Messages. */
  unitsOfMeasure?: string[];
  /** Custom usage fields the tenant defines (besides any `__c` field found in `records`). Default `Region__c`, `CostCenter__c`. */
  customFields?: string[];
  /** Whether negative quantities are accepted (Zuora tenant feature "Negative Quantity Usage"). Default true. */
  allowNegativeQuantity?: boolean;
  /**
   * Milliseconds from a usage request's arrival to its handling: the round trip a client sees is this
   * plus the client's own overhead (time spent reading the body counts towards it). Default 0.
   */
  latencyMs?: number;
  /** Scripted faults per usage id (or TOKEN_FAULT_KEY), consumed one per request on that id, in order; then the id behaves normally. */
  faults?: Record<string, FaultStep[]>;
  /** HTTP status of `Success:false` business failures (Zuora documents 400; some sources show 200). Default 400. */
  faultStatusForSuccessFalse?: 200 | 400;
  /** Called with one access-log line per finished request. Default: no log. */
  logger?: (line: string) => void;
  /** Keep every request in `requests`. Default true; a benchmark turns it off to save memory. */
  recordRequests?: boolean;
  /** Clock in epoch milliseconds, for token expiry, UpdatedDate and rate-limit windows; tests inject one so they never wait. Default `Date.now`. */
  now?: () => number;
  /**
   * Tenant rate limit on usage requests (failed ones count too, as at Zuora). Over it: 429 + Retry-After.
   * Fixed windows aligned to the clock (`now`); a request counts in the window of its arrival. Default: no limit.
   */
  rateLimit?: { perMinute?: number; perSecond?: number };
  /**
   * Most usage requests in flight at once for the tenant (Zuora default 40, shared by all integrations). Over it: 429 + Retry-After.
   * A request holds its slot from when its body has arrived (latency included) until it is answered or its connection ends. Default: no limit.
   */
  concurrencyLimit?: number;
  /** Retry-After seconds sent with a concurrency-limit 429. Default 1 (Zuora documents 120; tests use small values). */
  concurrencyRetryAfterSeconds?: number;
  /** Body shape of limit 429s: 'v1' | 'code' | 'crud', or 'rotate' to cycle through all three. Default: 'v1' for the rate limit, 'code' for the concurrency limit. */
  limitBodyShape?: LimitBodyShape;
  /**
   * Random faults on usage requests, seeded so a failing test can be replayed: `rate` (0..1) is the
   * probability per usage request, the kind is picked uniformly from `kinds` (default all), `slowMs`
   * (default 60000) is how long a `slow` answer waits. The seed used is `Simulator.chaosSeed`.
   * Scripted faults and limit 429s come first: a request that gets one draws no chaos.
   */
  chaos?: { rate: number; seed?: number; kinds?: ChaosKind[]; slowMs?: number };
}

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
  /** Most usage requests in flight at once on a single usage id (1 means same-id requests never overlapped). */
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
}

export interface Simulator {
  /** Base URL, e.g. `http://127.0.0.1:43123` (no trailing slash). */
  url: string;
  port: number;
  /** Every request, in arrival order (token requests too); empty when `recordRequests` is false. */
  requests: ReceivedRequest[];
  /** The tenant's live records by Id (Quantity held as decimal text, date-times in the tenant offset). */
  tenant: Map<string, UsageRecord>;
  stats: SimulatorStats;
  /** Seed of the chaos PRNG (the one given, or the random one chosen); give it as `chaos.seed` to replay a run. Undefined without `chaos`. */
  chaosSeed?: number;
  /** Queue more fault steps for a usage id (or TOKEN_FAULT_KEY), after those already queued. */
  script(id: string, steps: FaultStep[]): void;
  /** Every token issued so far and every static token is refused from now on, and the client credentials too. */
  revokeAllTokens(): void;
  /** Every issued token expires now (a 401 follows), but the credentials still get fresh tokens. */
  expireAllTokens(): void;
  /** Stops the server and destroys keep-alive and hanging connections. Safe to call twice. */
  close(): Promise<void>;
}

interface Route {
  kind: 'token' | 'usage';
  /** Key of scripted faults. */
  faultKey: string;
  usageId?: string;
}

export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const businessFailureStatus = options.faultStatusForSuccessFalse ?? 400;
  const recordRequests = options.recordRequests ?? true;
  const latencyMs = options.latencyMs ?? 0;
  const logger = options.logger;
  const tenant = new Tenant({
    records: options.records ?? fixtureTenantRecords(),
    timeZone: options.tenantTimeZone,
    acceptAnyId: options.acceptAnyId,
    unitsOfMeasure: options.unitsOfMeasure,
    customFields: options.customFields,
    allowNegativeQuantity: options.allowNegativeQuantity,
    businessFailureStatus,
    now,
  });
  const oauth = new OAuthServer({
    clients: options.clients ?? [DEMO_CREDENTIALS],
    staticTokens: options.staticTokens ?? [],
    lifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
    now,
    userId: API_USER_ID,
  });
  const faults = new FaultScript(options.faults);
  const configuredRateLimit = options.rateLimit === undefined ? undefined : new RateLimit(options.rateLimit);
  const rateLimit = configuredRateLimit?.enabled === true ? configuredRateLimit : undefined;
  const concurrency = options.concurrencyLimit === undefined ? undefined : new ConcurrencyLimit(options.concurrencyLimit);
  const concurrencyRetryAfter = options.concurrencyRetryAfterSeconds ?? 1;
  if (!(Number.isInteger(concurrencyRetryAfter) && concurrencyRetryAfter >= 0)) {
    throw new RangeError(`concurrencyRetryAfterSeconds must be a whole number of seconds >= 0, got ${concurrencyRetryAfter}`);
  }
  if (options.limitBodyShape !== undefined && !LIMIT_BODY_SHAPES.includes(options.limitBodyShape)) {
    throw new RangeError(`limitBodyShape must be one of ${LIMIT_BODY_SHAPES.join(', ')}, got ${String(options.limitBodyShape)}`);
  }
  const limitAnswers = new LimitAnswers(options.limitBodyShape);
  const chaos = options.chaos === undefined ? undefined : new Chaos(options.chaos, businessFailureStatus);
  const requests: ReceivedRequest[] = [];
  const inFlightPerId = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const stats: SimulatorStats = {
    maxInFlight: 0,
    maxInFlightPerId: 0,
    get tokensIssued() {
      return oauth.issued;
    },
    inFlight: 0,
    received: 0,
    rateLimited: 0,
    concurrencyLimited: 0,
    chaosInjected: Object.fromEntries(CHAOS_KINDS.map((kind) => [kind, 0])) as Record<ChaosKind, number>,
  };
  let closed = false;

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  }

  /** Like sleep, but over as soon as the connection closes (the client gave up, or close()). */
  function sleepWhileOpen(res: ServerResponse, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        timers.delete(timer);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timers.add(timer);
      res.once('close', done);
    });
  }

  function send(req: IncomingMessage, res: ServerResponse, entry: ReceivedRequest, answer: Answer): void {
    if (res.destroyed || res.headersSent) return;
    const requestId = randomUUID();
    const headers: Record<string, string> = { 'Zuora-Request-Id': requestId };
    if (entry.trackId !== undefined) headers['Zuora-Track-Id'] = entry.trackId;
    let body: string | Buffer = answer.body;
    if (body !== '') headers['Content-Type'] = 'application/json; charset=utf-8';
    if (entry.usageId !== undefined) {
      rateLimit?.addHeaders(now(), headers);
      // Zuora may leave these out of 5xx answers; the client must cope.
      if (concurrency !== undefined && answer.status < 500) concurrency.addHeaders(headers);
    }
    Object.assign(headers, answer.headers);
    if (body.length > GZIP_THRESHOLD_BYTES / 4 && Buffer.byteLength(body) > GZIP_THRESHOLD_BYTES && acceptsGzip(req)) {
      body = gzipSync(body);
      headers['Content-Encoding'] = 'gzip';
      headers['Vary'] = 'Accept-Encoding';
    }
    headers['Content-Length'] = String(Buffer.byteLength(body));
    res.writeHead(answer.status, headers);
    res.end(body);
    // Free the slot now, not on 'close': a client answered may send its next request at once.
    concurrency?.release(res);
    entry.status = answer.status;
    entry.requestId = requestId;
    entry.outcome = 'answered';
  }

  function drop(req: IncomingMessage, entry: ReceivedRequest): void {
    entry.outcome = 'dropped';
    req.socket.destroy();
  }

  /** The tenant's answer to a usage request, or the token endpoint's. */
  function handler(req: IncomingMessage, route: Route, entry: ReceivedRequest, raw: Buffer): Answer {
    const decoded = decodeBody(raw, entry);
    if (typeof decoded !== 'string') return decoded;
    if (route.kind === 'token') return oauth.token(req.headers['content-type'], decoded);
    const id = route.usageId ?? '';
    if (req.method === 'GET') return tenant.read(id);
    const contentType = req.headers['content-type']?.toLowerCase() ?? '';
    if (!contentType.startsWith('application/json')) {
      return jsonAnswer(415, { message: `Unsupported Media Type: send Content-Type: application/json (got ${contentType || 'none'})` });
    }
    return tenant.update(id, decoded, entry.query.rejectUnknownFields?.toLowerCase() === 'true');
  }

  /**
   * @param rateRetryAfter Retry-After seconds when the request arrived over the rate limit, else 0.
   */
  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    entry: ReceivedRequest,
    route: Route | Answer,
    rateRetryAfter: number,
  ): Promise<void> {
    const read = await readBody(req);
    if (read === undefined) return; // the client went away mid-body
    entry.rawBodyBytes = read.size;
    const raw = read.body;
    if (raw === undefined) return send(req, res, entry, jsonAnswer(413, { message: 'Request Entity Too Large' }));
    if (!('kind' in route)) return send(req, res, entry, route);

    let limited: LimitReason | undefined;
    if (route.kind === 'usage') {
      if (rateRetryAfter > 0) limited = 'rate';
      else if (concurrency !== undefined && !concurrency.acquire(res)) limited = 'concurrency';
      if (latencyMs > 0 && limited === undefined) {
        const wait = latencyMs - (performance.now() - entry.startedAt);
        if (wait > 0) await sleep(wait);
      }
      if (closed) return;
      const refusal = oauth.authenticate(req.headers.authorization);
      if (refusal) return send(req, res, entry, refusal);
    }

    const step = faults.take(route.faultKey);
    if (step) {
      const action = faultAction(step, businessFailureStatus);
      switch (action.kind) {
        case 'answer':
          return send(req, res, entry, action.answer);
        case 'drop':
          return drop(req, entry);
        case 'hang':
          entry.outcome = 'hung';
          return;
        case 'apply-then-drop':
          handler(req, route, entry, raw);
          return drop(req, entry);
      }
    }

    if (limited !== undefined) {
      entry.limited = limited;
      if (limited === 'rate') stats.rateLimited += 1;
      else stats.concurrencyLimited += 1;
      return send(req, res, entry, limitAnswers.answer(limited, limited === 'rate' ? rateRetryAfter : concurrencyRetryAfter));
    }

    const kind = route.kind === 'usage' ? chaos?.next() : undefined;
    if (kind !== undefined && chaos !== undefined) {
      entry.chaos = kind;
      stats.chaosInjected[kind] += 1;
      switch (kind) {
        case '5xx':
          return send(req, res, entry, chaos.serverError());
        case 'lock':
          return send(req, res, entry, chaos.lockAnswer);
        case 'drop':
          return drop(req, entry);
        case 'apply-then-drop':
          handler(req, route, entry, raw);
          return drop(req, entry);
        case 'slow': {
          const answer = handler(req, route, entry, raw);
          await sleepWhileOpen(res, chaos.slowMs);
          if (closed) return;
          return send(req, res, entry, answer);
        }
      }
    }

    send(req, res, entry, handler(req, route, entry, raw));
  }

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const trackId = req.headers['zuora-track-id'];
    const encoding = req.headers['content-encoding'];
    const entry: ReceivedRequest = {
      seq: stats.received,
      method,
      path,
      query: q === -1 ? {} : Object.fromEntries(new URLSearchParams(url.slice(q + 1))),
      headers: req.headers,
      rawBodyBytes: 0,
      body: '',
      outcome: 'pending',
      startedAt: performance.now(),
    };
    if (typeof trackId === 'string') entry.trackId = trackId;
    if (encoding !== undefined) entry.contentEncoding = encoding;
    stats.received += 1;
    if (recordRequests) requests.push(entry);

    const route = routeOf(method, path);
    const usageId = 'kind' in route ? route.usageId : undefined;
    if (usageId !== undefined) entry.usageId = usageId;
    // Counted at arrival, in the window of the arrival time, whatever comes of the request.
    const rateRetryAfter = rateLimit !== undefined && usageId !== undefined ? rateLimit.count(now()) : 0;

    stats.inFlight += 1;
    if (stats.inFlight > stats.maxInFlight) stats.maxInFlight = stats.inFlight;
    if (usageId !== undefined) {
      const count = (inFlightPerId.get(usageId) ?? 0) + 1;
      inFlightPerId.set(usageId, count);
      if (count > stats.maxInFlightPerId) stats.maxInFlightPerId = count;
    }
    res.once('close', () => {
      stats.inFlight -= 1;
      concurrency?.release(res);
      if (usageId !== undefined) {
        const count = (inFlightPerId.get(usageId) ?? 1) - 1;
        if (count === 0) inFlightPerId.delete(usageId);
        else inFlightPerId.set(usageId, count);
      }
      entry.finishedAt = performance.now();
      if (!res.writableFinished && entry.outcome !== 'dropped') entry.clientClosed = true;
      logger?.(
        `${method} ${path} ${entry.status ?? entry.outcome} ${(entry.finishedAt - entry.startedAt).toFixed(1)}ms` +
          (entry.trackId === undefined ? '' : ` track=${entry.trackId}`),
      );
    });

    handle(req, res, entry, route, rateRetryAfter).catch((error: unknown) => {
      logger?.(`simulator error on ${method} ${path}: ${(error as Error).stack ?? String(error)}`);
      send(req, res, entry, jsonAnswer(500, { message: 'Simulator internal error' }));
    });
  });
  // Longer than Node's client agents keep idle sockets (5 s), so the server never closes a socket that a
  // client is about to reuse (a spurious ECONNRESET in tests); close() ends idle sockets anyway.
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    tenant: tenant.records,
    stats,
    ...(chaos === undefined ? {} : { chaosSeed: chaos.seed }),
    script(id, steps) {
      faults.add(id, steps);
    },
    revokeAllTokens() {
      oauth.revokeAll();
    },
    expireAllTokens() {
      oauth.expireAll();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function routeOf(method: string, path: string): Route | Answer {
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

/** The body and its size (body undefined past MAX_BODY_BYTES), or undefined when the client went away first. */
function readBody(req: IncomingMessage): Promise<{ body?: Buffer; size: number } | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.once('end', () => {
      done = true;
      if (size > MAX_BODY_BYTES) resolve({ size });
      else resolve({ body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size), size });
    });
    req.once('close', () => {
      if (!done) resolve(undefined);
    });
    req.once('error', () => resolve(undefined));
  });
}

/** The body text, gunzipped when the request says so; a 400/415 answer when it cannot be decoded. */
function decodeBody(raw: Buffer, entry: ReceivedRequest): string | Answer {
  const encoding = entry.contentEncoding?.trim().toLowerCase();
  if (encoding === undefined || encoding === '' || encoding === 'identity') {
    entry.body = raw.toString('utf8');
    return entry.body;
  }
  if (encoding !== 'gzip') return jsonAnswer(415, { message: `Unsupported Content-Encoding: ${encoding} (use gzip)` });
  try {
    entry.body = gunzipSync(raw, { maxOutputLength: MAX_BODY_BYTES }).toString('utf8');
    return entry.body;
  } catch {
    return jsonAnswer(400, { message: 'Error - the request body is not valid gzip data' });
  }
}

function acceptsGzip(req: IncomingMessage): boolean {
  const accept = req.headers['accept-encoding'];
  if (accept === undefined) return false;
  return accept.split(',').some((part) => {
    const [coding = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const refused = params.some((p) => /^q=0(?:\.0*)?$/.test(p));
    return (coding === 'gzip' || coding === '*') && !refused;
  });
}
