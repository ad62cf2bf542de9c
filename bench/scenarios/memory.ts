/** memory: peak RSS and the live heap over files of 10,000 and 300,000 rows (1,000,000 with --long). */

import { PLAN, TARGETS } from '../plan.js';
import type { BenchSession, RunFigures } from '../session.js';
import { startSimulatorProcess } from '../simulator-client.js';
import { brief, heapFloors, medianOf } from '../statistics.js';
import { count, fixed, whole } from '../table.js';

export async function memory(bench: BenchSession): Promise<void> {
  const { concurrency } = PLAN.memory;
  const sizes: number[] = [...PLAN.memory.rows, ...(bench.flags.long ? [PLAN.memory.longRows] : [])];
  const runs = bench.runsOf('memory');
  const simulator = await startSimulatorProcess({ latencyMs: 0 });
  const bySize = new Map<number, RunFigures[]>();
  try {
    for (const rows of sizes) {
      bench.log(`memory: writing a ${rows}-row file`);
      await bench.input(rows);
      for (let i = 0; i < runs; i++) {
        bench.log(`memory: -c ${concurrency}, 0 ms, ${rows} rows, run ${i + 1}/${runs}`);
        bySize.set(rows, [...(bySize.get(rows) ?? []), await bench.cli(simulator, rows, concurrency)]);
      }
    }
  } finally {
    await simulator.close();
  }
  const result: Record<string, unknown> = {};
  for (const [rows, figuresOfSize] of bySize) {
    const rss = medianOf(figuresOfSize, 'maxRssMb');
    const last = figuresOfSize[figuresOfSize.length - 1];
    const floors = heapFloors(last?.memorySamples);
    result[String(rows)] = {
      medianMaxRssMb: rss,
      medianRowsPerSecond: medianOf(figuresOfSize, 'rowsPerSecond'),
      medianCpuMsPerRow: medianOf(figuresOfSize, 'cpuMsPerRow'),
      heapFloorsMb: floors ?? null,
      runs: brief(figuresOfSize),
      memorySamplesOfLastRun: last?.memorySamples ?? [],
    };
    const isLong = rows === PLAN.memory.longRows;
    bench.row(
      'memory',
      `${count(rows)} rows, -c ${concurrency}, 0 ms: peak RSS MB`,
      fixed(rss, 0),
      isLong ? `<= ${TARGETS.peakRssMbAtMillion}` : rows === 300_000 ? `(<= ${TARGETS.peakRssMbAtMillion} at 1M, --long)` : '',
      isLong ? rss <= TARGETS.peakRssMbAtMillion : undefined,
    );
    // A run of a few seconds has had too few collections for its troughs to mean anything.
    if (floors && rows >= 100_000) bench.row('memory', `${count(rows)} rows: live heap (heapUsed after GC) early -> late, MB`, `${fixed(floors.early, 0)} -> ${fixed(floors.late, 0)}`);
    bench.row('memory', `${count(rows)} rows: rows/s, CPU ms per row`, `${whole(medianOf(figuresOfSize, 'rowsPerSecond'))}, ${fixed(medianOf(figuresOfSize, 'cpuMsPerRow'), 3)}`);
  }
  const small = bySize.get(10_000);
  const large = bySize.get(300_000);
  if (small && large) {
    const growth = medianOf(large, 'maxRssMb') / medianOf(small, 'maxRssMb');
    result.rssGrowth300kOver10k = growth;
    bench.row('memory', 'RSS(300k) / RSS(10k)', fixed(growth, 2), `<= ${TARGETS.rssGrowth}`, growth <= TARGETS.rssGrowth);
  }
  bench.json.memory = result;
}
