/** The bench's output: number formats and the Markdown table that pastes into BENCHMARKS.md as is. */

import type { RunFigures } from './session.js';

export interface TableRow {
  scenario: string;
  measure: string;
  value: string;
  target: string;
  pass?: boolean;
}

export const fixed = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export const whole = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');
export const percent = (value: number): string => (Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : 'n/a');
export const count = (value: number): string => value.toLocaleString('en-US');
/** " (runs a, b, c)" after a measure when there was more than one run. */
export const spread = (runs: RunFigures[]): string => (runs.length < 2 ? '' : ` (runs ${runs.map((run) => whole(run.rowsPerSecond)).join(', ')})`);

export function formatTable(rows: TableRow[]): string {
  const cells = rows.map((row) => [row.scenario, row.measure, row.value, row.target, row.pass === undefined ? '' : row.pass ? 'ok' : 'MISS']);
  const header = ['scenario', 'measure', 'median', 'target', ''];
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => (line[i] ?? '').length)));
  const line = (values: string[]): string => `| ${values.map((value, i) => value.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
