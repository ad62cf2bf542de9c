/**
 * A fresh simulator per test, always closed, like got's `withServer`.
 *
 *   await withSimulator({ faults: { [id]: [{ kind: 'status', status: 503 }] } }, async (sim) => { ... });
 *
 * or, for a whole file:
 *
 *   const sim = useSimulator({ tokenLifetimeSeconds: 2 });
 *   it('...', async () => { await fetch(`${sim().url}/...`) });
 */

import { afterEach, beforeEach } from 'vitest';
import {
  createSimulator,
  DEMO_CREDENTIALS,
  type Simulator,
  type SimulatorOptions,
  type UsageRecord,
} from '../../src/simulator/create-simulator.js';

/** Runs `fn` against a new simulator and closes it afterwards, whether `fn` succeeded or threw. */
export async function withSimulator<T>(options: SimulatorOptions, fn: (sim: Simulator) => Promise<T>): Promise<T> {
  const sim = await createSimulator(options);
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}

/**
 * Registers beforeEach/afterEach hooks that give every test of the enclosing `describe` (or file) its
 * own simulator; call the returned function inside a test to get it.
 */
export function useSimulator(options: SimulatorOptions | (() => SimulatorOptions) = {}): () => Simulator {
  let current: Simulator | undefined;
  beforeEach(async () => {
    current = await createSimulator(typeof options === 'function' ? options() : options);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('useSimulator(): the simulator exists only inside a test');
    return current;
  };
}

/**
 * For files whose tests each start a simulator with their own options: `start(options)` makes one, and
 * it is closed after the test.
 */
export function simulatorPerTest(): (options?: SimulatorOptions) => Promise<Simulator> {
  let current: Simulator | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options = {}) => {
    await current?.close();
    current = await createSimulator(options);
    return current;
  };
}

/** A bearer token from the simulator's token endpoint, using DEMO_CREDENTIALS unless others are given. */
export async function simulatorToken(sim: Simulator, credentials = DEMO_CREDENTIALS): Promise<string> {
  const response = await fetch(`${sim.url}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      grant_type: 'client_credentials',
    }),
  });
  if (response.status !== 200) throw new Error(`token request refused: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Ids of fixture-tenant records by kind, for tests that need "a billed record" and the like. */
export function tenantIds(sim: Simulator): { pending: string[]; billed: string[]; dynamicPricing: string[] } {
  const records = [...sim.tenant.values()];
  return {
    pending: records.filter((r) => r.RbeStatus === 'Pending' && !r.dynamicPricing).map((r) => r.Id),
    billed: records.filter((r) => r.RbeStatus === 'Processed').map((r) => r.Id),
    dynamicPricing: records.filter((r) => r.dynamicPricing).map((r) => r.Id),
  };
}

/** A plain pending usage record of the tenant, for tests that seed their own ids. */
export function pendingRecord(Id: string, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    Id,
    AccountId: '8ad0823f8455bb4c01845f1a7c1c5fe4',
    AccountNumber: 'A00001234',
    StartDateTime: '2026-01-15T00:00:00.000-08:00',
    UOM: 'GB',
    Quantity: 1,
    SourceType: 'API',
    RbeStatus: 'Pending',
    CreatedById: '2c92c0f96abc17de016abd62bd0c5854',
    CreatedDate: '2026-01-16T02:00:00.000-08:00',
    UpdatedById: '2c92c0f96abc17de016abd62bd0c5854',
    UpdatedDate: '2026-01-16T02:00:00.000-08:00',
    ...overrides,
  };
}
