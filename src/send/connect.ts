import type { Logger } from 'pino';
import type { RunOptions } from '../options.js';
import { createUsageReader, type UsageReader } from '../read/query-usage.js';
import { abortableSleep, type WaitEffects } from './abortable-sleep.js';
import { createTokenProvider, type Credentials, type TokenProvider } from './auth.js';
import { closeHttpClient, createHttpClient } from './http-client.js';
import { createActionsTransport } from './actions-transport.js';
import { createPutTransport } from './put-transport.js';
import { MAX_BATCH_SIZE } from './post-update-batch.js';
import { readPushback, type Pushback, type RetryGauge } from './pushback.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';
import { createDeadlines } from './deadlines.js';
import { createSecretRedactor } from './secrets.js';
import { createThrottle } from './throttle.js';
import type { Transport } from './transport.js';
import type { CallContext } from './zuora-call.js';

/**
 * A ready connection to Zuora (or the built-in simulator): send rows, read records, then close. The
 * transport and the reader share one HTTP client, token provider and throttle, so the traffic facts
 * (requests, pauses, pushback) are the connection's.
 */
export interface Connection {
  /** Sends rows with their retries, as the options say: one PUT a row, or Actions calls of many. */
  transport: Transport;
  /** Batched reads of usage records (`--preview`, `--backup`, `--verify`), through the same throttle, tokens and retries. */
  reader: UsageReader;
  tokens: TokenProvider;
  /** Update requests the transport sent so far (a batch call counts once, whatever it carries); reads count theirs on `reader`. */
  readonly requests: number;
  /** Pauses Zuora asked for so far, and the time they covered (the throttle's). */
  readonly pauses: { count: number; ms: number };
  /** What holds the run back now (a pause, retries, a lowered concurrency), for the progress bar. */
  pushback(): Pushback;
  close(): Promise<void>;
}

/** What connecting needs of the options: the target, credentials, limits and request shape (a run's, or an export's). */
export type ConnectOptions = Pick<
  RunOptions,
  'target' | 'credentials' | 'entityIds' | 'orgIds' | 'zuoraVersion' | 'concurrency' | 'maxAttempts' | 'timeoutMs' | 'trackPrefix' | 'gzip' | 'rejectUnknownFields' | 'transport' | 'batchSize'
>;

/** Effects of connecting, from `run()`. */
export interface ConnectDeps extends WaitEffects {
  logger: Logger;
  /** Once aborted, rows stop retrying: a row waiting for its next attempt ends with its last result. */
  stopSignal: AbortSignal;
  /** Once aborted, requests still waiting for an answer are abandoned (their rows become `unknown`). */
  abandonSignal: AbortSignal;
  /** The `User-Agent` of every request. Default `zuora-usage-update` (the CLI adds its version). */
  userAgent?: string;
  /**
   * The clock the per-attempt time limits (`--timeout`) are measured on, in epoch ms. Default `Date.now`:
   * requests are really in flight, also when a test's clock jumps ahead on every backoff; a test that
   * drives time-outs passes its virtual clock (with a faked sweep interval) and never waits for real.
   */
  attemptNow?: () => number;
}

/**
 * Connects: starts the in-process simulator for `--env local`, makes the one HTTP client of the run
 * and the token provider, and checks OAuth client credentials before any row is sent (refused ones
 * are a RunError, exit 1, nothing sent).
 */
export async function connect(options: ConnectOptions, deps: ConnectDeps): Promise<Connection> {
  const closers: Array<() => Promise<void> | void> = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    let baseUrl: string;
    let credentials: Credentials | undefined = options.credentials;
    if (options.target.kind === 'local') {
      // Loaded only for --env local: a run against Zuora does not carry the simulator in memory.
      const { createSimulator, DEMO_CREDENTIALS } = await import('../simulator/create-simulator.js');
      const simulator = await createSimulator();
      closers.push(() => simulator.close());
      baseUrl = simulator.url;
      credentials ??= { kind: 'client', ...DEMO_CREDENTIALS };
      deps.logger.info({ url: baseUrl }, 'started the built-in Zuora simulator (--env local)');
    } else {
      baseUrl = options.target.baseUrl;
    }
    // The CLI edge (readCredentials) refuses a run without them; reaching here without any is a bug.
    if (!credentials) throw new Error('connect: no credentials for a target other than --env local');
    const client = createHttpClient({ maxSockets: options.concurrency, userAgent: deps.userAgent ?? 'zuora-usage-update' });
    closers.push(() => closeHttpClient(client));
    const now = deps.now ?? Date.now;
    const sleep = deps.sleep ?? abortableSleep;
    const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: options.maxAttempts };
    const redactor = createSecretRedactor();
    const tokens = createTokenProvider({
      credentials,
      baseUrl,
      client,
      timeoutMs: options.timeoutMs,
      policy,
      logger: deps.logger.child({ stage: 'auth' }),
      now,
      sleep,
      random: deps.random,
      signal: deps.stopSignal,
      redactor,
    });
    if (credentials.kind === 'client') await tokens.token();
    const throttle = createThrottle({ maxConcurrency: options.concurrency, now, sleep });
    const deadlines = createDeadlines({ timeoutMs: options.timeoutMs, now: deps.attemptNow });
    closers.push(() => deadlines.close());
    const abandon = (): void => deadlines.abandonAll();
    deps.abandonSignal.addEventListener('abort', abandon, { once: true });
    closers.push(() => deps.abandonSignal.removeEventListener('abort', abandon));
    let requests = 0;
    const retries: RetryGauge = { waiting: 0 };
    const ctx: CallContext = {
      client,
      baseUrl,
      tokens,
      extraHeaders: extraHeaders(options),
      gzip: options.gzip,
      rejectUnknownFields: options.rejectUnknownFields,
      timeoutMs: options.timeoutMs,
      policy,
      throttle,
      logger: deps.logger.child({ stage: 'send' }),
      sleep,
      random: deps.random,
      now,
      stopSignal: deps.stopSignal,
      deadlines,
      redactor,
      countRequest: () => {
        requests++;
      },
      retries,
    };
    // The transport is the one stage that differs: the pool, the call loop and the throttle are shared.
    let transport: Transport;
    if (options.transport === 'actions') {
      const actions = createActionsTransport(ctx, { concurrency: options.concurrency, batchSize: options.batchSize ?? MAX_BATCH_SIZE, trackPrefix: options.trackPrefix });
      closers.push(() => actions.close());
      transport = actions;
    } else {
      transport = createPutTransport(ctx, { concurrency: options.concurrency });
    }
    return {
      transport,
      get requests() {
        return requests;
      },
      get pauses() {
        return throttle.pauses;
      },
      tokens,
      // Through the same call loop, throttle and tokens as the updates; reads count their own requests.
      reader: createUsageReader({ ...ctx, logger: deps.logger.child({ stage: 'read' }), trackPrefix: options.trackPrefix }),
      pushback: () => readPushback(throttle, retries, now()),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function extraHeaders(options: ConnectOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.entityIds) headers['zuora-entity-ids'] = options.entityIds;
  if (options.orgIds) headers['zuora-org-ids'] = options.orgIds;
  if (options.zuoraVersion) headers['zuora-version'] = options.zuoraVersion;
  return headers;
}
