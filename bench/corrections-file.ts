/**
 * Generated corrections files, for the benchmark and the tests: written at run time in os.tmpdir(),
 * never committed. Every row has its own Id unless a test maps rows onto shared ones (the simulator
 * takes unknown ids with `acceptAnyId`), so no two rows are chained on one Id and the pool can keep
 * every slot busy. The one home of generated ids and of the file writer: test/helpers/generate.ts
 * builds on it.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

export const CORRECTIONS_HEADER = 'Id,Account Number,Quantity,StartDateTime,EndDateTime,UOM';

/** The fields of row `i` (0-based), as written in the file and as the CLI sends them. */
export interface BenchRow {
  id: string;
  /** 1-based physical line of the row: the header is line 1. */
  line: number;
  accountNumber: string;
  quantity: string;
  start: string;
  end: string;
  uom: string;
}

/** A well-formed 32-character Zuora-style usage id, distinct for every number. */
export function usageId(n: number): string {
  return `8ad0${n.toString(16).padStart(28, '0')}`;
}

export function benchRow(i: number): BenchRow {
  const day = String((i % 28) + 1).padStart(2, '0');
  return {
    id: usageId(i),
    line: i + 2,
    accountNumber: `A${String(10_000 + (i % 5000)).padStart(8, '0')}`,
    quantity: `${(i % 9973) + 1}.${String(i % 100).padStart(2, '0')}`,
    start: `2026-03-${day}T00:00:00`,
    end: `2026-03-${day}T23:59:59`,
    uom: 'Each',
  };
}

/**
 * The JSON body the CLI builds for the row: updatable fields in column order, exact digits, date-times
 * already in the form it sends (so it sends them unchanged). The bare baseline and the curl peer send it too.
 */
export function benchBody(row: BenchRow): string {
  return `{"Quantity":${row.quantity},"StartDateTime":"${row.start}","EndDateTime":"${row.end}","UOM":"${row.uom}"}`;
}

/** What a generated file holds: its header line and the text of row `i` (0-based), no line end. */
export interface CorrectionsShape {
  header: string;
  line(i: number): string;
}

/** The benchmark's rows (benchRow): six columns, four of them sent. */
export const BENCH_SHAPE: CorrectionsShape = {
  header: CORRECTIONS_HEADER,
  line(i) {
    const row = benchRow(i);
    return [row.id, row.accountNumber, row.quantity, row.start, row.end, row.uom].join(',');
  },
};

/** Writes a corrections file of `rows` rows with backpressure, so even 1,000,000 rows take little memory here. */
export async function writeCorrectionsFile(path: string, rows: number, shape: CorrectionsShape = BENCH_SHAPE): Promise<void> {
  const out = createWriteStream(path);
  const chunk: string[] = [shape.header];
  const flush = async (): Promise<void> => {
    if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
    chunk.length = 0;
  };
  for (let i = 0; i < rows; i++) {
    chunk.push(shape.line(i));
    if (chunk.length >= 5000) await flush();
  }
  if (chunk.length > 0) await flush();
  out.end();
  await once(out, 'close');
}
