import pino from 'pino';
import { DEMO_CREDENTIALS, type Simulator } from '../../src/simulator/create-simulator.js';
import { createDeadlines } from '../../src/send/deadlines.js';
import { createTokenProvider, type Credentials, type TokenProvider } from '../../src/send/auth.js';
import { closeHttpClient, createHttpClient } from '../../src/send/http-client.js';
import { putUsage } from '../../src/send/put-usage.js';
import { DEFAULT_RETRY_POLICY } from '../../src/send/retry-policy.js';
import { createThrottle } from '../../src/send/throttle.js';
import type { UsageUpdate } from '../../src/send/transport.js';
import type { CallContext, SendResult } from '../../src/send/zuora-call.js';
import { seededRandom } from './generate.js';
import { virtualClock } from './virtual-clock.js';

export { usageId } from './generate.js';
/** The tenant record builder has one home: `pendingRecord` in with-simulator.ts; this name stays for older tests. */
export { pendingRecord as usageRecord } from './with-simulator.js';

export interface SenderHarness {
  ctx: CallContext;
  tokens: TokenProvider;
  /** Every backoff the sender asked for, in ms, in order. Sleeping itself returns at once. */
  sleeps: number[];
  put(update: UsageUpdate): Promise<SendResult>;
  close(): void;
}

/**
 * The production sender (got, keep-alive agent, token provider, throttle) pointed at a simulator, with
 * an instant injected sleep so backoff never waits for real.
 */
export function senderFor(
  sim: Simulator,
  overrides: Partial<Omit<CallContext, 'client' | 'tokens'>> & { credentials?: Credentials; maxAttempts?: number } = {},
): SenderHarness {
  // Sleeping moves the clock forward, so waits are computed exactly and never spent; it follows real
  // time too, because the per-attempt time limit (deadlines) is real: a request is really in flight.
  const { now, sleep, sleeps } = virtualClock({ realTime: true });
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
  const ctx: CallContext = {
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
    // Backoff jitter from a fixed seed, so a failure replays with the same delays.
    random: seededRandom(20_261_128),
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
