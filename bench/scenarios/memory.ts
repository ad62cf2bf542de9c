/**
 * memory: peak RSS and the live heap over files of 10,000 and 300,000 rows, and with --long of
 * 1,000,000 rows, sent with `--transport put` and (at 1,000,000 rows only) `--transport actions`;
 * and one `--preview` of 300,000 distinct Ids (with put selected).
 */

import { PLAN, TARGETS, type Transport } from '../plan.js';
import type { BenchSession, RunFigures } from '../session.js';
import { startSimulatorProcess } from '../simulator-client.js';
import { brief, heapFloors, medianOf } from '../statistics.js';
import { count, fixed, whole } from '../table.js';
import { PREVIEW_RESULTS } from './look-before.js';

export async function memory(bench: BenchSession): Promise<void> {
  const { concurrency, longRows } = PLAN.memory;
  const sizes: number[] = [...PLAN.memory.rows, ...(bench.flags.long ? [longRows] : [])];
  // put at every size; actions at the long size only, the figure its issue asks for.
  const cases = sizes.flatMap((rows) =>
    [...bench.flags.transports].filter((transport) => transport === 'put' || rows === longRows).map((transport) => ({ rows, transport })),
  );
  if (cases.length === 0) {
    bench.row('memory', `--transport actions: measured at ${count(longRows)} rows only (--long)`, 'n/a');
    return;
  }
  const runs = bench.runsOf('memory');
  const simulator = await startSimulatorProcess({ latencyMs: 0 });
  const byCase = new Map<string, { rows: number; transport: Transport; figures: RunFigures[] }>();
  let previewFigures: RunFigures | undefined;
  try {
    for (const { rows, transport } of cases) {
      bench.log(`memory: writing a ${rows}-row file`);
      await bench.input(rows);
      const key = transport === 'put' ? String(rows) : `${rows}-${transport}`;
      const entry = byCase.get(key) ?? { rows, transport, figures: [] };
      byCase.set(key, entry);
      for (let i = 0; i < runs; i++) {
        bench.log(`memory: --transport ${transport}, -c ${concurrency}, 0 ms, ${rows} rows, run ${i + 1}/${runs}`);
        entry.figures.push(await bench.cli(simulator, rows, concurrency, { args: ['--transport', transport] }));
      }
    }
    if (bench.flags.transports.has('put')) {
      const rows = PLAN.memory.previewRows;
      bench.log(`memory: --preview, -c ${concurrency}, 0 ms, ${rows} rows`);
      previewFigures = await bench.cli(simulator, rows, concurrency, { args: ['--preview'], done: PREVIEW_RESULTS });
    }
  } finally {
    await simulator.close();
  }
  const result: Record<string, unknown> = {};
  for (const [key, { rows, transport, figures: figuresOfSize }] of byCase) {
    const rss = medianOf(figuresOfSize, 'maxRssMb');
    const last = figuresOfSize[figuresOfSize.length - 1];
    const floors = heapFloors(last?.memorySamples);
    result[key] = {
      medianMaxRssMb: rss,
      medianRowsPerSecond: medianOf(figuresOfSize, 'rowsPerSecond'),
      medianCpuMsPerRow: medianOf(figuresOfSize, 'cpuMsPerRow'),
      heapFloorsMb: floors ?? null,
      runs: brief(figuresOfSize),
      memorySamplesOfLastRun: last?.memorySamples ?? [],
    };
    const isLong = rows === longRows;
    // put's labels are those of the figures before actions existed, so that runs compare line by line.
    const name = transport === 'put' ? `${count(rows)} rows` : `${count(rows)} rows, --transport ${transport}`;
    bench.row(
      'memory',
      `${name}, -c ${concurrency}, 0 ms: peak RSS MB`,
      fixed(rss, 0),
      isLong ? `<= ${TARGETS.peakRssMbAtMillion}` : rows === 300_000 ? `(<= ${TARGETS.peakRssMbAtMillion} at 1M, --long)` : '',
      isLong ? rss <= TARGETS.peakRssMbAtMillion : undefined,
    );
    // A run of a few seconds has had too few collections for its troughs to mean anything.
    if (floors && rows >= 100_000) bench.row('memory', `${name}: live heap (heapUsed after GC) early -> late, MB`, `${fixed(floors.early, 0)} -> ${fixed(floors.late, 0)}`);
    bench.row('memory', `${name}: rows/s, CPU ms per row`, `${whole(medianOf(figuresOfSize, 'rowsPerSecond'))}, ${fixed(medianOf(figuresOfSize, 'cpuMsPerRow'), 3)}`);
  }
  if (previewFigures) {
    const figures = previewFigures;
    result.preview = { rows: figures.rows, maxRssMb: figures.maxRssMb, rowsPerSecond: figures.rowsPerSecond, cpuMsPerRow: figures.cpuMsPerRow, memorySamples: figures.memorySamples ?? [] };
    bench.row('memory', `--preview, ${count(figures.rows)} distinct Ids, -c ${concurrency}, 0 ms: peak RSS MB; rows/s, CPU ms per row`, `${fixed(figures.maxRssMb, 0)}; ${whole(figures.rowsPerSecond)}, ${fixed(figures.cpuMsPerRow, 3)}`);
  }
  const small = byCase.get('10000')?.figures;
  const large = byCase.get('300000')?.figures;
  if (small && large) {
    const growth = medianOf(large, 'maxRssMb') / medianOf(small, 'maxRssMb');
    result.rssGrowth300kOver10k = growth;
    bench.row('memory', 'RSS(300k) / RSS(10k)', fixed(growth, 2), `<= ${TARGETS.rssGrowth}`, growth <= TARGETS.rssGrowth);
  }
  bench.json.memory = result;
}
