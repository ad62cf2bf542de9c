/**
 * The built-in Zuora simulator: a real HTTP server on loopback that answers `POST /oauth/token`,
 * `GET`/`PUT /v1/object/usage/{id}`, `POST /v1/action/query`, `queryMore` and `update` as Zuora does (see
 * ZUORA-API-NOTES.md), with scripted faults, and records every request so tests assert on what was really sent.
 *
 * This file wires the parts: the tenant (tenant.ts), the token endpoint (oauth.ts), the Actions calls
 * (action-query.ts with zoql.ts, action-update.ts, idempotency.ts), the limits (limits.ts), faults and
 * chaos (faults.ts, chaos.ts), the steps of a request (request-pipeline.ts, routes.ts, endpoints.ts), the
 * HTTP I/O (http-exchange.ts) and the record of requests (request-log.ts).
 */

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActionQuery } from './action-query.js';
import { ActionUpdate } from './action-update.js';
import { jsonAnswer } from './answers.js';
import { Chaos } from './chaos.js';
import { type FaultStep, FaultScript, type ObjectFault, ObjectFaultScript } from './faults.js';
import { fixtureTenantRecords } from './fixture-tenant.js';
import { IdempotencyStore } from './idempotency.js';
import { ConcurrencyLimit, LimitAnswers, type LimitBodyShape, RateLimit } from './limits.js';
import { DEMO_CREDENTIALS, OAuthServer } from './oauth.js';
import { RequestLog, type ReceivedRequest, type SimulatorStats } from './request-log.js';
import { RequestPipeline } from './request-pipeline.js';
import { isRoute, routeOf } from './routes.js';
import type { SimulatorOptions } from './simulator-options.js';
import { API_USER_ID, Tenant, type UsageRecord } from './tenant.js';

export type { ChaosKind } from './chaos.js';
export type { FaultStep, ObjectFault } from './faults.js';
export type { LimitBodyShape } from './limits.js';
export type { UsageRecord } from './tenant.js';
export type { ClientCredentials } from './oauth.js';
export type { ReceivedRequest, SimulatorStats } from './request-log.js';
export type { SimulatorOptions } from './simulator-options.js';
export { DEMO_CREDENTIALS } from './oauth.js';
export { GZIP_THRESHOLD_BYTES } from './http-exchange.js';
export { ACTION_QUERY_FAULT_KEY, ACTION_QUERY_MORE_FAULT_KEY, ACTION_UPDATE_FAULT_KEY, TOKEN_FAULT_KEY } from './routes.js';

const LIMIT_BODY_SHAPES: readonly LimitBodyShape[] = ['v1', 'code', 'crud', 'rotate'];

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
  /** Queue more fault steps for a usage id (or TOKEN_FAULT_KEY, or an ACTION_*_FAULT_KEY), after those already queued. */
  script(id: string, steps: FaultStep[]): void;
  /** Queue more failures of update objects carrying this usage id (`POST /v1/action/update`), after those already queued. */
  scriptObject(id: string, failures: ObjectFault[]): void;
  /** Applies the requests held by `hold` faults that are due on the simulator's clock (also done as each request arrives). */
  applyHeld(): void;
  /** Every token issued so far and every static token is refused from now on, and the client credentials too. */
  revokeAllTokens(): void;
  /** Every issued token expires now (a 401 follows), but the credentials still get fresh tokens. */
  expireAllTokens(): void;
  /** Stops the server and destroys keep-alive and hanging connections. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts a simulator on 127.0.0.1 with the given knobs (see SimulatorOptions); `close()` it when done. */
export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const businessFailureStatus = options.faultStatusForSuccessFalse ?? 400;
  const tenant = new Tenant({
    records: options.records ?? fixtureTenantRecords(),
    timeZone: options.tenantTimeZone,
    acceptAnyId: options.acceptAnyId,
    unitsOfMeasure: options.unitsOfMeasure,
    customFields: options.customFields,
    allowNegativeQuantity: options.allowNegativeQuantity,
    businessFailureStatus,
    ignoreFields: options.ignoreFields,
    ignoreFieldsById: options.ignoreFieldsById,
    now,
  });
  const oauth = new OAuthServer({
    clients: options.clients ?? [DEMO_CREDENTIALS],
    staticTokens: options.staticTokens ?? [],
    lifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
    now,
    userId: API_USER_ID,
  });
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
  const chaos = options.chaos === undefined ? undefined : new Chaos(options.chaos, businessFailureStatus);
  const faults = new FaultScript(options.faults);
  const objectFaults = new ObjectFaultScript(options.objectFaults);
  const log = new RequestLog({
    recordRequests: options.recordRequests ?? true,
    logger: options.logger,
    tokensIssued: () => oauth.issued,
  });
  const pipeline = new RequestPipeline({
    tenant,
    oauth,
    query: new ActionQuery(tenant, now, [...(options.queryAnswerFaults ?? [])]),
    update: new ActionUpdate(tenant, objectFaults, () => {
      const failure = chaos?.nextObjectFailure();
      if (failure !== undefined) log.stats.chaosObjectsFailed += 1;
      return failure;
    }, options.refuseUsageUpdates),
    idempotency: new IdempotencyStore(now),
    log,
    faults,
    businessFailureStatus,
    latencyMs: options.latencyMs ?? 0,
    now,
    rateLimit,
    concurrency,
    concurrencyRetryAfter,
    limitAnswers: new LimitAnswers(options.limitBodyShape),
    chaos,
    holdFirstUpdateMs: options.holdFirstUpdateMs,
  });
  let closed = false;

  const server = createServer((req, res) => {
    const entry = log.arrive(req);
    const route = routeOf(entry.method, entry.path);
    const usageId = isRoute(route) ? route.usageId : undefined;
    if (usageId !== undefined) {
      entry.usageId = usageId;
      log.holdIds(res, [usageId]);
    }
    // Counted at arrival, in the window of the arrival time, whatever comes of the request.
    const rateRetryAfter = rateLimit !== undefined && RequestPipeline.limited(route) ? rateLimit.count(now()) : 0;
    res.once('close', () => {
      concurrency?.release(res);
      log.finish(entry, res);
    });

    pipeline.handle(req, res, entry, route, rateRetryAfter).catch((error: unknown) => {
      options.logger?.(`simulator error on ${entry.method} ${entry.path}: ${(error as Error).stack ?? String(error)}`);
      pipeline.send(req, res, entry, jsonAnswer(500, { message: 'Simulator internal error' }), RequestPipeline.limited(route));
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
    requests: log.requests,
    tenant: tenant.records,
    stats: log.stats,
    ...(chaos === undefined ? {} : { chaosSeed: chaos.seed }),
    script(id, steps) {
      faults.add(id, steps);
    },
    scriptObject(id, failures) {
      objectFaults.add(id, failures);
    },
    applyHeld() {
      pipeline.applyHeld();
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
      pipeline.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
