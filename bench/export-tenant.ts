/**
 * A generated tenant for the export bench: `count` usage records over 500 accounts and six months,
 * one in ten billed, from a fixed seed (the same records on every run).
 */

import type { UsageRecord } from '../src/simulator/create-simulator.js';

const UNITS = ['GB', 'Each', 'Minutes', 'API Calls', 'Seats'];

export function exportTenant(count: number, seed = 19): UsageRecord[] {
  let state = seed;
  const random = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const records: UsageRecord[] = [];
  for (let i = 0; i < count; i++) {
    const day = Math.floor(random() * 181);
    const date = new Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10);
    const account = 2000 + Math.floor(random() * 500);
    records.push({
      Id: `8ad0${i.toString(16).padStart(8, '0')}${Math.floor(random() * 2 ** 32).toString(16).padStart(8, '0')}${'0'.repeat(12)}`,
      AccountId: `8ad1${account.toString(16).padStart(28, '0')}`,
      AccountNumber: `A0000${account}`,
      SubscriptionNumber: `A-S0000${account}`,
      ChargeNumber: `C-0000${account}`,
      StartDateTime: `${date}T00:00:00.000-08:00`,
      EndDateTime: `${date}T23:59:59.000-08:00`,
      UOM: UNITS[i % UNITS.length] ?? 'GB',
      Quantity: (Math.floor(random() * 1e6) / 1000).toFixed(3),
      SourceType: 'API',
      RbeStatus: i % 10 === 9 ? 'Processed' : 'Pending',
      Description: i % 7 === 0 ? `Meter reading ${i}, re-imported` : undefined,
      CreatedById: '2c92c0f96abc17de016abd62bd0c5854',
      CreatedDate: `${date}T02:00:00.000-08:00`,
      UpdatedById: '2c92c0f96abc17de016abd62bd0c5854',
      UpdatedDate: `${date}T02:00:00.000-08:00`,
    });
  }
  return records;
}
