import { describe, expect, it } from 'vitest';
import { createPreviewJudge } from '../../../src/preview/judge-preview.js';
import { differences } from '../../../src/read/compare.js';

/**
 * A tenant in a zone with daylight saving (America/Los_Angeles): Zuora writes each date-time in the
 * tenant's zone at that date, so a record's StartDateTime in January carries -08:00 and its EndDateTime
 * in April -07:00. The simulator's tenant has one fixed offset, so this is shown on the comparison itself.
 */
const record = { Id: 'a'.repeat(32), RbeStatus: 'Pending', StartDateTime: '2026-01-15T00:00:00.000-08:00', EndDateTime: '2026-04-01T00:00:00.000-07:00' };

describe('date-times of a tenant with daylight saving', () => {
  it('a cell without offset equals the local part of Zuora\'s value of that field, whatever the offset of the other', () => {
    expect(differences({ EndDateTime: '2026-04-01T00:00:00' }, record)).toEqual([]);
    expect(differences({ StartDateTime: '2026-01-15T00:00:00', EndDateTime: '2026-04-01T00:00:00' }, record)).toEqual([]);
  });

  it('and a value an hour off is a difference (never "verified")', () => {
    expect(differences({ EndDateTime: '2026-03-31T23:00:00' }, record)).toEqual([
      { field: 'EndDateTime', row: '2026-03-31T23:00:00', zuora: '2026-04-01T00:00:00.000-07:00' },
    ]);
  });

  it('--preview says unchanged, not would-update, for a row holding the EndDateTime Zuora holds', () => {
    const judge = createPreviewJudge(['EndDateTime']);
    const verdict = judge.judge(record.Id, { EndDateTime: '2026-04-01T00:00:00' }, { kind: 'found', record, call: { trackId: 'q1' } });
    expect(verdict.result).toBe('unchanged');
    const moved = judge.judge(record.Id, { EndDateTime: '2026-03-31T23:00:00' }, undefined);
    expect(moved.result).toBe('would-update');
  });
});
