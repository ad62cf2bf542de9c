import pino from 'pino';
import { DEMO_CREDENTIALS, type Simulator, type UsageRecord } from '../../src/simulator/create-simulator.js';
import { createDeadlines } from '../../src/send/deadlines.js';
import { createTokenProvider, type Credentials, type TokenProvider } from '../../src/send/auth.js';
import { closeHttpClient, createHttpClient } from '../../src/send/http-client.js';
import { putUsage, type PutContext, type PutResult, type UsageUpdate } from '../../src/send/put-usage.js';
import { DEFAULT_RETRY_POLICY } from '../../src/send/retry-policy.js';
import { createThrottle } from '../../src/send/throttle.js';

/** A 32-character usage id made from a number, for generated rows. */
export function usageId(n: number): string {
  return `8ad0${n.toString(16).padStart(28, '0')}`;
}

/** A minimal tenant record for tests that need a specific state. */
export function usageRecord(id: string, extra: Partial<UsageRecord> = {}): UsageRecord {
  return {
    Id: id,
    AccountId: '8ad0aaaa00000000000000000000aaaa',
    AccountNumber: 'A00000001',
    StartDateTime: '2026-01-15T00:00:00.000-08:00',
    UOM: 'Each',
    Quantity: 1,
    SourceType: 'API',
    RbeStatus: 'Pending',
    CreatedById: '2c92c0f86a8dd422016a9e7a70116b0d',
    CreatedDate: '2026-01-15T10:00:00.000-08:00',
    UpdatedById: '2c92c0f86a8dd422016a9e7a70116b0d',
    UpdatedDate: '2026-01-15T10:00:00.000-08:00',
    ...extra,
  };
}

export interface SenderHarness {
  ctx: PutContext;
  tokens: TokenProvider;
  /** Every backoff the sender asked for, in ms, in order. Sleeping itself returns at once. */
  sleeps: number[];
  put(update: UsageUpdate): Promise<PutResult>;
  close(): void;
}

/**
 * The production sender (got, keep-alive agent, token provider, throttle) pointed at a simulator, with
 * an instant injected sleep so backoff never waits for real.
 */
export function senderFor(
  sim: Simulator,
  overrides: Partial<Omit<PutContext, 'client' | 'tokens'>> & { credentials?: Credentials; maxAttempts?: number } = {},
): SenderHarness {
  const sleeps: number[] = [];
  // A virtual clock that only sleeping moves forward, so waits are computed exactly and never spent.
  let skew = 0;
  const now = (): number => Date.now() + skew;
  const sleep = async (ms: number): Promise<void> => {
    sleeps.push(ms);
    skew += ms;
  };
  const logger = pino({ level: 'silent' });
  const client = createHttpClient({ maxSockets: 64, userAgent: 'zuora-usage-update-test' });
  const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: overrides.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts };
  const tokens = createTokenProvider({
    credentials: overrides.credentials ?? { kind: 'client', ...DEMO_CREDENTIALS },
    baseUrl: sim.url,
    client,
    timeoutMs: 5000,
    policy,
    logger,
    sleep,
    now,
  });
  const ctx: PutContext = {
    client,
    baseUrl: sim.url,
    tokens,
    extraHeaders: {},
    gzip: true,
    rejectUnknownFields: true,
    timeoutMs: 5000,
    policy,
    throttle: createThrottle({ sleep, now }),
    logger,
    sleep,
    now,
    // Time limits are real time: a request is really in flight.
    deadlines: createDeadlines({ timeoutMs: overrides.timeoutMs ?? 5000 }),
    ...overrides,
  };
  const close = (): void => {
    ctx.deadlines.close();
    closeHttpClient(client);
  };
  return { ctx, tokens, sleeps, put: (update) => putUsage(update, ctx), close };
}
