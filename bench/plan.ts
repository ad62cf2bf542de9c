/** What the benchmark runs: its scenarios, their sizes and knobs, runs per figure, and the targets. */

export const SCENARIOS = ['latency-bound', 'client-bound', 'rate-limited', 'memory', 'peer', 'scaling'] as const;
export type Scenario = (typeof SCENARIOS)[number];
/** `scaling` runs only when named in --only. */
export const DEFAULT_SCENARIOS: Scenario[] = ['latency-bound', 'client-bound', 'rate-limited', 'memory', 'peer'];

/**
 * Runs per figure when --runs is not given. The CPU-bound comparisons are noisy on a shared machine
 * and get three interleaved runs; the scenarios paced by the simulator's clock (latency, rate limit)
 * and peak RSS repeat within 1-2% and run once, which keeps the default under 10 minutes.
 */
export const DEFAULT_RUNS: Record<Scenario, number> = {
  'latency-bound': 1,
  'client-bound': 3,
  'rate-limited': 1,
  memory: 1,
  peer: 3,
  scaling: 1,
};

/** Scenario sizes and knobs, as the issue sets them. */
export const PLAN = {
  latencyBound: { latencyMs: 50, concurrencies: [20, 40], rows: 20_000, roundTripProbe: 100 },
  clientBound: { concurrency: 32, rows: 50_000 },
  rateLimited: { perSecond: 100, rows: 6_000, concurrency: 20, latencyMs: 50 },
  memory: { concurrency: 32, rows: [10_000, 300_000], longRows: 1_000_000 },
  peer: { rows: 2_000, parallel: 20 },
  scaling: {
    /** At 50 ms: rows = 250 x C, about 12.5 s each at the C/L bound. */
    latencyConcurrencies: [8, 20, 40, 64],
    zeroLatencyConcurrencies: [8, 32, 64],
    zeroLatencyRows: 20_000,
    sizes: [1_000, 10_000, 100_000],
  },
} as const;

export const TARGETS = {
  latencyBoundShare: 0.95,
  clientVsBare: 0.85,
  clientVsCurl: 6,
  /** Rate-limited rows/s as a share of the limit: at least this... */
  rateShare: 0.9,
  /** ...and never above the limit (plus the 15% a fixed window lets through at its edges). */
  rateShareCeiling: 1.15,
  rateLimitedShare: 0.02,
  peakRssMbAtMillion: 150,
  rssGrowth: 1.3,
} as const;
