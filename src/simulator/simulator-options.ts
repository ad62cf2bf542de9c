/**
 * The knobs of `createSimulator`: the tenant it holds, and what real tenants do to clients (limits,
 * latency, faults, chaos, token expiry).
 */

import type { QueryAnswerFault } from './action-query.js';
import type { ChaosOptions } from './chaos.js';
import type { FaultStep, ObjectFault } from './faults.js';
import type { LimitBodyShape } from './limits.js';
import type { ClientCredentials } from './oauth.js';
import type { UsageRecord } from './tenant.js';

export interface SimulatorOptions {
  /** TCP port on 127.0.0.1. Default 0: a free port chosen by the system. */
  port?: number;
  /**
   * The seeded tenant's usage records. Default: the fixture tenant in `fixtures/tenant.json`. A Quantity
   * seeded as text in exponent form (`'5.00E-7'`) is answered in that form by GET and query, as Zuora may.
   */
  records?: UsageRecord[];
  /** A well-formed 32-character id that is not in the tenant is created (as a Pending record) on first GET, PUT, query or update. Default false: unknown ids are refused. */
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
   * Milliseconds from an API request's (usage or Actions call's) arrival to its handling: the round trip a client sees is this
   * plus the client's own overhead (time spent reading the body counts towards it). Default 0.
   */
  latencyMs?: number;
  /**
   * Scripted faults per usage id, consumed one per GET/PUT on that id, in order; then the id behaves
   * normally. Keys TOKEN_FAULT_KEY and ACTION_*_FAULT_KEY script the token endpoint and whole Actions calls.
   */
  faults?: Record<string, FaultStep[]>;
  /**
   * Query answers that do not add up (action-query.ts `QueryAnswerFault`), one per query or queryMore
   * page answered, in order; then pages are answered normally. Default none.
   */
  queryAnswerFaults?: QueryAnswerFault[];
  /**
   * Per-object failures of `POST /v1/action/update`, per usage id: each object carrying the id takes the
   * next one (its result is `Success:false` with that code, it is not applied, the other objects are).
   * Default none.
   */
  objectFaults?: Record<string, ObjectFault[]>;
  /**
   * A tenant that does not take Usage through `POST /v1/action/update` (no public example shows that it
   * does): `objects` answers every object `Success:false` with INVALID_TYPE, `call` refuses the whole call
   * with a 400 INVALID_TYPE fault. Nothing is applied either way. Default: updates are taken.
   */
  refuseUsageUpdates?: 'objects' | 'call';
  /**
   * Fields that updates (PUT and action/update) on every record validate and acknowledge but never store:
   * a tenant that silently drops a change, for showing that `--verify` catches it. Default none.
   */
  ignoreFields?: string[];
  /**
   * The first PUT on each usage id gets no answer and is applied this many ms after it arrived (on
   * `now`): a request the client gave up on (`--timeout` below it) that lands after its retry, and after
   * later rows of the Id, as Zuora's gateway may do for up to 120 s. For trying `--settle`. Default off.
   */
  holdFirstUpdateMs?: number;
  /** Like `ignoreFields`, per usage id (added to `ignoreFields` for that id). Default none. */
  ignoreFieldsById?: Record<string, string[]>;
  /** HTTP status of `Success:false` business failures (Zuora documents 400; some sources show 200). Default 400. */
  faultStatusForSuccessFalse?: 200 | 400;
  /** Called with one access-log line per finished request. Default: no log. */
  logger?: (line: string) => void;
  /** Keep every request in `requests`. Default true; a benchmark turns it off to save memory. */
  recordRequests?: boolean;
  /** Clock in epoch milliseconds, for token expiry, UpdatedDate and rate-limit windows; tests inject one so they never wait. Default `Date.now`. */
  now?: () => number;
  /**
   * Tenant rate limit on API requests (usage and Actions calls; one call counts once, however many records) (failed ones count too, as at Zuora). Over it: 429 + Retry-After.
   * Fixed windows aligned to the clock (`now`); a request counts in the window of its arrival. Default: no limit.
   */
  rateLimit?: { perMinute?: number; perSecond?: number };
  /**
   * Most API requests (usage and Actions calls) in flight at once for the tenant (Zuora default 40, shared by all integrations). Over it: 429 + Retry-After.
   * A request holds its slot from when its body has arrived (latency included) until it is answered or its connection ends. Default: no limit.
   */
  concurrencyLimit?: number;
  /** Retry-After seconds sent with a concurrency-limit 429. Default 1 (Zuora documents 120; tests use small values). */
  concurrencyRetryAfterSeconds?: number;
  /** Body shape of limit 429s: 'v1' | 'code' | 'crud', or 'rotate' to cycle through all three. Default: 'v1' for the rate limit, 'code' for the concurrency limit. */
  limitBodyShape?: LimitBodyShape;
  /**
   * Random faults, seeded so a failing test can be replayed: `rate` (0..1) is the probability per API
   * request (usage and Actions calls, each call as a whole), the kind is picked uniformly from `kinds`
   * (default all), `slowMs` (default 60000) is how long a `slow` answer waits; `objectRate` (0..1,
   * default 0) is the probability that one object of an update call fails on its own with
   * LOCK_COMPETITION or TEMPORARY_ERROR. The seed used is `Simulator.chaosSeed`. Scripted faults and
   * limit 429s come first: a request that gets one draws no chaos.
   */
  chaos?: ChaosOptions;
}
