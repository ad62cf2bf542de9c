import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Simulator, UsageRecord } from '../../src/simulator/create-simulator.js';
import { usageId } from './sender.js';
import { pendingRecord } from './with-simulator.js';

/** What look-before-you-leap and verify-after-sending share: the read requests, a small tenant, backup rows. */

export const reads = (s: Simulator) => s.requests.filter((r) => r.path.startsWith('/v1/action/query'));

/** The fields a restore can bring back, as the simulator holds them. */
export function heldValues(record: UsageRecord | undefined): Record<string, unknown> {
  if (!record) return {};
  const { Quantity, StartDateTime, EndDateTime, UOM, RbeStatus, Region__c } = record;
  return { Quantity: String(Quantity), StartDateTime, EndDateTime, UOM, RbeStatus, Region__c };
}

export const A = usageId(0xa);
export const B = usageId(0xb);
export const BILLED = usageId(0xc);
export const UNKNOWN = usageId(0xd);
export const SAME = usageId(0xe);

export function previewTenant(): UsageRecord[] {
  return [
    pendingRecord(A, { Quantity: 4, Region__c: 'EMEA' }),
    pendingRecord(B, { Quantity: 10 }),
    pendingRecord(BILLED, { Quantity: 3, RbeStatus: 'Processed', Region__c: 'APAC' }),
    pendingRecord(SAME, { Quantity: 1 }),
  ];
}

/** Rows of a backup file, leaving out a last line cut short by a kill. */
export function backupRows(path: string): Array<Record<string, string>> {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const whole = text.slice(0, text.lastIndexOf('\n') + 1);
  return whole === '' ? [] : (parse(whole, { columns: true }) as Array<Record<string, string>>);
}
