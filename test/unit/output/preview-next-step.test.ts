import { describe, expect, it } from 'vitest';
import { exitCodeFor, nextStep } from '../../../src/output/summary.js';
import type { RowResult } from '../../../src/row-outcome.js';

const counts = (extra: Partial<Record<RowResult, number>>): Record<RowResult, number> =>
  ({ updated: 0, failed: 0, unknown: 0, invalid: 0, valid: 0, ...extra }) as Record<RowResult, number>;
const rerun = (input: string, extra: string[] = []): string => ['zuora-usage-update', input, ...extra, '--env', 'us-sandbox'].join(' ');
const base = { status: 'completed' as const, dryRun: false, rerun, input: 'fix.csv', out: 'fix.preview.csv', failures: 'fix.failures.csv', preview: true };

describe('after a preview', () => {
  it('exit 0 only when every row would update or is unchanged', () => {
    expect(exitCodeFor('completed', counts({ 'would-update': 3, unchanged: 1 }))).toBe(0);
    expect(exitCodeFor('completed', counts({ 'would-update': 3, blocked: 1 }))).toBe(2);
    expect(exitCodeFor('completed', counts({ 'would-update': 3, 'not-found': 1 }))).toBe(2);
  });

  it('the next step is to read the preview, then apply with a backup and --verify', () => {
    expect(nextStep({ ...base, counts: counts({ 'would-update': 2 }) })).toBe(
      'Open fix.preview.csv in your spreadsheet to check the before_ columns against yours. To apply, with a backup to restore from: zuora-usage-update fix.csv --backup fix.backup.csv --verify --env us-sandbox',
    );
    expect(nextStep({ ...base, counts: counts({ 'would-update': 2, blocked: 1, invalid: 2 }) })).toMatch(/^Open fix.preview.csv in your spreadsheet: 3 row\(s\) would not be applied/);
    expect(nextStep({ ...base, status: 'stopped', counts: counts({}) })).toBe('The preview is incomplete; run it again: zuora-usage-update fix.csv --preview --out fix.preview.csv --env us-sandbox');
  });
});
