/**
 * The simulator in its own process, so that its CPU is not charged to the CLI being measured:
 *   node dist/bench/simulator-process.js '<SimulatorOptions as JSON>'
 * prints `{"url": ...}` as one JSON line on stdout once listening, then answers each `stats` line on
 * stdin with one JSON line of counters (and its own CPU time); `close` or the end of stdin stops it.
 * Requests are never recorded, so its memory stays small over a long run; unknown ids are accepted.
 */

import { createInterface } from 'node:readline';
import { createSimulator, type SimulatorOptions } from '../src/simulator/create-simulator.js';
import { exportTenant } from './export-tenant.js';

/** The counters a bench reads between runs. */
export interface SimulatorProcessStats {
  received: number;
  /** 429s sent because of the `rateLimit` option. */
  rateLimited: number;
  /** 429s sent because of the `concurrencyLimit` option. */
  concurrencyLimited: number;
  maxInFlight: number;
  tokensIssued: number;
  userMs: number;
  systemMs: number;
  maxRssMb: number;
}

// `generatedRecords`: a tenant of that many generated records (export-tenant.ts) in place of the fixture's.
const { generatedRecords, ...given } = JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions & { generatedRecords?: number };
const records = generatedRecords === undefined ? {} : { records: exportTenant(generatedRecords) };
const simulator = await createSimulator({ ...given, ...records, acceptAnyId: true, recordRequests: false });
process.stdout.write(`${JSON.stringify({ url: simulator.url })}\n`);

const stats = (): SimulatorProcessStats => {
  const usage = process.resourceUsage();
  return {
    received: simulator.stats.received,
    rateLimited: simulator.stats.rateLimited,
    concurrencyLimited: simulator.stats.concurrencyLimited,
    maxInFlight: simulator.stats.maxInFlight,
    tokensIssued: simulator.stats.tokensIssued,
    userMs: usage.userCPUTime / 1000,
    systemMs: usage.systemCPUTime / 1000,
    maxRssMb: Math.round(usage.maxRSS / 102.4) / 10,
  };
};

let closing = false;
const close = async (): Promise<void> => {
  if (closing) return;
  closing = true;
  await simulator.close();
  process.exit(0);
};
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const command = line.trim();
  if (command === 'stats') process.stdout.write(`${JSON.stringify(stats())}\n`);
  else if (command === 'close') void close();
});
lines.on('close', () => void close());
process.on('SIGTERM', () => void close());
