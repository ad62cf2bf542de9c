import { escapeHtml } from './escape-html.js';

/** One bar of a chart: a label, a value and a colour (a CSS colour this module chose, never input). */
export interface Bar {
  label: string;
  value: number;
  colour: string;
}

/** Colours of the results, shared by the bar and its legend. */
export const RESULT_COLOURS: Readonly<Record<string, string>> = {
  updated: '#2e7d32',
  'would-update': '#2e7d32',
  valid: '#1565c0',
  unchanged: '#90a4ae',
  failed: '#c62828',
  unknown: '#ef6c00',
  invalid: '#6a1b9a',
  blocked: '#8d1c1c',
  'not-found': '#795548',
  'not reached': '#e0e0e0',
};

const WIDTH = 640;

/**
 * The results as one horizontal bar split by result, widths in proportion to the counts, with a
 * title for each part (shown on hover, read by screen readers). Inline SVG: no script, no font.
 */
export function resultsBar(parts: readonly Bar[]): string {
  const total = parts.reduce((sum, p) => sum + p.value, 0);
  const height = 28;
  if (total === 0) {
    return `<svg class="chart" role="img" aria-label="no rows" viewBox="0 0 ${WIDTH} ${height}" width="100%" height="${height}"><rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#eeeeee"/></svg>`;
  }
  let x = 0;
  const rects = parts
    .filter((p) => p.value > 0)
    .map((p) => {
      // Every part at least 2 units wide, so a single failed row among a million still shows.
      const w = Math.max(2, (p.value / total) * WIDTH);
      const rect = `<rect x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="${height}" fill="${p.colour}"><title>${escapeHtml(`${p.label}: ${p.value}`)}</title></rect>`;
      x += w;
      return rect;
    });
  const label = parts.filter((p) => p.value > 0).map((p) => `${p.value} ${p.label}`).join(', ');
  return `<svg class="chart" role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${Math.max(WIDTH, x).toFixed(1)} ${height}" width="100%" height="${height}" preserveAspectRatio="none">${rects.join('')}</svg>`;
}

/**
 * Signed values as bars left (negative) and right (positive) of a zero line, one row each, longest
 * absolute value full length. Labels (account and unit) on the left, the value at the bar's end.
 */
export function changeBars(rows: ReadonlyArray<{ label: string; value: number; text: string }>): string {
  const rowHeight = 20;
  const labelWidth = 210;
  const valueWidth = 90;
  const half = (WIDTH - labelWidth - 2 * valueWidth) / 2;
  const zero = labelWidth + valueWidth + half;
  const max = Math.max(0, ...rows.map((r) => Math.abs(r.value)));
  const height = rows.length * rowHeight + 4;
  const body = rows.map((row, i) => {
    const y = i * rowHeight + 2;
    const length = max > 0 ? (Math.abs(row.value) / max) * half : 0;
    const w = row.value === 0 ? 0 : Math.max(1.5, length);
    const x = row.value < 0 ? zero - w : zero;
    const colour = row.value < 0 ? '#c62828' : '#2e7d32';
    const textX = row.value < 0 ? x - 4 : x + w + 4;
    const anchor = row.value < 0 ? 'end' : 'start';
    return (
      `<text x="${labelWidth - 6}" y="${y + 14}" text-anchor="end" class="l">${escapeHtml(clip(row.label, 34))}</text>` +
      `<rect x="${x.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 6}" fill="${colour}"><title>${escapeHtml(`${row.label}: ${row.text}`)}</title></rect>` +
      `<text x="${textX.toFixed(1)}" y="${y + 14}" text-anchor="${anchor}" class="v">${escapeHtml(row.text)}</text>`
    );
  });
  return (
    `<svg class="chart bars" role="img" aria-label="quantity change per account" viewBox="0 0 ${WIDTH} ${height}" width="100%">` +
    `<line x1="${zero}" y1="0" x2="${zero}" y2="${height}" stroke="#607d8b" stroke-width="1"/>${body.join('')}</svg>`
  );
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
