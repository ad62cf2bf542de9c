/** peer: the same PUTs sent the way people script them today, one curl per row under xargs -P 20. */

import { join } from 'node:path';
import { curlAvailable, fetchToken, runCurlPeer, writeCurlArgs } from '../curl-peer.js';
import { PLAN } from '../plan.js';
import type { BenchSession } from '../session.js';
import { startSimulatorProcess } from '../simulator-client.js';
import { median } from '../statistics.js';
import { count, whole } from '../table.js';

export async function peer(bench: BenchSession): Promise<number | undefined> {
  const { rows, parallel } = PLAN.peer;
  const label = `curl + xargs -P ${parallel}, 0 ms, ${count(rows)} PUTs: rows/s`;
  if (!curlAvailable()) {
    bench.row('peer', label, 'n/a (curl not installed)');
    bench.json.peer = null;
    return undefined;
  }
  const argsPath = join(bench.workDir, `curl-args-${rows}.txt`);
  await writeCurlArgs(argsPath, rows);
  const simulator = await startSimulatorProcess({ latencyMs: 0 });
  const rates: number[] = [];
  const runs = bench.runsOf('peer');
  try {
    const token = await fetchToken(simulator.url);
    for (let i = 0; i < runs; i++) {
      bench.log(`peer: curl + xargs -P ${parallel}, ${rows} PUTs, run ${i + 1}/${runs}`);
      const run = await runCurlPeer(simulator.url, token, argsPath, parallel);
      if (run.ok !== rows) throw new Error(`curl peer: ${run.ok} of ${rows} PUTs were answered 200`);
      rates.push((rows * 1000) / run.wallMs);
    }
  } finally {
    await simulator.close();
  }
  const rate = median(rates);
  bench.json.peer = { rows, parallel, medianRowsPerSecond: rate, runs: rates };
  bench.row('peer', `${label}${rates.length > 1 ? ` (runs ${rates.map(whole).join(', ')})` : ''}`, whole(rate));
  return rate;
}
