import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../../src/simulator/create-simulator.js';
import { DEFAULT_UNITS_OF_MEASURE } from '../../../src/simulator/tenant.js';
import { simulatorToken, withSimulator } from '../../helpers/with-simulator.js';
import { json, putUsage } from './http-call.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const fixture = (name: string): string => join(root, 'fixtures', name);

/** Records of a CSV fixture with the line each starts on (header = line 1), as the updater counts them. */
function readCsv(name: string): Array<{ line: number; cells: Record<string, string> }> {
  const rows = parse(readFileSync(fixture(name)), { columns: true, info: true, bom: true }) as Array<{
    record: Record<string, string>;
    info: { lines: number };
  }>;
  let line = 2;
  return rows.map(({ record, info }) => {
    const entry = { line, cells: record };
    line = info.lines + 1;
    return entry;
  });
}

/** The spreadsheet date forms the fixtures use, as the updater sends them. */
function dateTime(cell: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(cell) ? `${cell}T00:00:00` : cell.replace(' ', 'T');
}

/** A request body from cells, written by hand so the quantity digits go out exactly as in the file. */
function body(fields: Record<string, string | undefined>): string {
  const parts = Object.entries(fields)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([name, value]) => `"${name}":${name === 'Quantity' ? value : JSON.stringify(value)}`);
  return `{${parts.join(',')}}`;
}

describe('fixtures/tenant.json', () => {
  it('is the default tenant: 370 usage records with Zuora-shaped ids and values', async () => {
    await withSimulator({}, async (sim) => {
      const records = [...sim.tenant.values()];
      expect(records).toHaveLength(370);
      expect(records.filter((r) => r.RbeStatus === 'Processed')).toHaveLength(55);
      expect(records.filter((r) => r.dynamicPricing)).toHaveLength(2);
      for (const r of records) {
        expect(r.Id).toMatch(/^8ad0[0-9a-f]{28}$/);
        expect(r.AccountNumber).toMatch(/^A\d{8}$/);
        expect(r.SubscriptionNumber).toMatch(/^A-S\d{8}$/);
        expect(r.ChargeNumber).toMatch(/^C-\d{8}$/);
        expect(r.StartDateTime).toMatch(/^2026-0[1-4]-\d{2}T\d{2}:\d{2}:\d{2}\.000-08:00$/);
        expect(DEFAULT_UNITS_OF_MEASURE).toContain(r.UOM);
        for (const key of Object.keys(r)) if (key.endsWith('__c')) expect(['Region__c', 'CostCenter__c']).toContain(key);
      }
    });
  });

  it('gives each simulator its own copy of the records', async () => {
    const first = await createSimulator();
    const second = await createSimulator();
    try {
      const id = [...first.tenant.keys()][0] as string;
      (first.tenant.get(id) as { Quantity: unknown }).Quantity = 'changed';
      expect(second.tenant.get(id)?.Quantity).not.toBe('changed');
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

describe('fixtures/usage-corrections.csv', () => {
  it('has 300 records in Data Source export spelling, one of them over two lines', () => {
    const rows = readCsv('usage-corrections.csv');
    expect(rows).toHaveLength(300);
    expect(Object.keys(rows[0]?.cells ?? {})).toEqual([
      'Usage: ID',
      'Account: Account Number',
      'Subscription: Subscription Number',
      'Usage: Start Date',
      'Usage: End Date',
      'Usage: Unit of Measure',
      'Usage: Quantity',
      'Usage: Description',
    ]);
    expect(rows.at(-1)?.line).toBe(302);
    expect(rows.filter((r) => r.cells['Usage: Description']?.includes('\n'))).toHaveLength(1);
  });

  it('applies every row against the default simulator, later rows of an Id winning', async () => {
    await withSimulator({}, async (sim) => {
      const token = await simulatorToken(sim);
      const rows = readCsv('usage-corrections.csv');
      const last = new Map<string, string>();
      for (const { line, cells } of rows) {
        const id = cells['Usage: ID'] as string;
        const res = await putUsage(
          sim.url,
          token,
          id,
          body({
            Quantity: cells['Usage: Quantity'],
            StartDateTime: dateTime(cells['Usage: Start Date'] ?? ''),
            EndDateTime: cells['Usage: End Date'] ? dateTime(cells['Usage: End Date']) : undefined,
            UOM: cells['Usage: Unit of Measure'],
          }),
          { gzip: true, query: '?rejectUnknownFields=true' },
        );
        expect({ line, status: res.status, text: res.text }).toEqual({ line, status: 200, text: `{"Id":"${id}","Success":true}` });
        last.set(id, cells['Usage: Quantity'] as string);
      }
      expect(last.size).toBe(298);
      for (const [id, quantity] of last) expect(sim.tenant.get(id)?.Quantity).toBe(quantity);
    });
  });
});

describe('fixtures/usage-corrections-with-problems.csv', () => {
  const rows = readCsv('usage-corrections-with-problems.csv');
  const cellsAt = (line: number): Record<string, string> => rows.find((r) => r.line === line)?.cells ?? {};

  async function send(sim: Simulator, token: string, line: number) {
    const cells = cellsAt(line);
    return putUsage(
      sim.url,
      token,
      cells.Id ?? '',
      body({
        Quantity: cells.Quantity,
        StartDateTime: cells['Start Date Time'] ? dateTime(cells['Start Date Time']) : undefined,
        EndDateTime: cells['End Date Time'] ? dateTime(cells['End Date Time']) : undefined,
        UOM: cells['Unit Of Measure'],
        RbeStatus: cells['RBE Status'],
      }),
      { query: '?rejectUnknownFields=true' },
    );
  }

  it('uses the Data Loader template header and has 16 records on lines 2-17', () => {
    expect(Object.keys(cellsAt(2))).toEqual(['Id', 'Quantity', 'Start Date Time', 'End Date Time', 'Unit Of Measure', 'RBE Status']);
    expect(rows.map((r) => r.line)).toEqual(Array.from({ length: 16 }, (_, i) => i + 2));
  });

  it('holds the locally invalid rows README.md describes', () => {
    expect(cellsAt(4).Id).toBe('8.00E+31');
    expect(cellsAt(5).Quantity).toBe('1,234.50');
    expect(cellsAt(6)['End Date Time']! < cellsAt(6)['Start Date Time']!).toBe(true);
    expect(cellsAt(7)['Start Date Time']).toBe('2026-02-30');
    expect(Object.entries(cellsAt(8)).filter(([name, value]) => name !== 'Id' && value !== '')).toEqual([]);
    expect(cellsAt(15).Id).toHaveLength(31);
    expect(cellsAt(16).Quantity).toBe('1.1234567891');
    expect(cellsAt(17)['RBE Status']).toBe('Billed');
  });

  it('gets the answers README.md lists from the default simulator for the rows that are sent', async () => {
    await withSimulator({}, async (sim) => {
      const token = await simulatorToken(sim);
      for (const line of [2, 3, 12, 13, 14]) expect({ line, status: (await send(sim, token, line)).status }).toEqual({ line, status: 200 });
      const refused: Array<[number, string, RegExp]> = [
        [9, 'INVALID_VALUE', /already been billed/],
        [10, 'INVALID_VALUE', /dynamic-pricing/],
        [11, 'INVALID_ID', /no usage record/],
      ];
      for (const [line, code, message] of refused) {
        const res = await send(sim, token, line);
        expect(res.status).toBe(400);
        expect(json(res)).toMatchObject({ Success: false, Errors: [{ Code: code, Message: expect.stringMatching(message) }] });
      }
      expect(sim.tenant.get(cellsAt(14).Id ?? '')?.StartDateTime).toBe('2026-02-01T00:30:00.000-08:00');
      expect(sim.tenant.get(cellsAt(13).Id ?? '')?.Quantity).toBe('-3.25');
    });
  });

  it('would also be refused by the simulator for rows a client failed to catch', async () => {
    await withSimulator({}, async (sim) => {
      const token = await simulatorToken(sim);
      for (const line of [7, 16, 17]) expect((await send(sim, token, line)).status).toBe(400);
      expect(json(await send(sim, token, 15))).toMatchObject({ Errors: [{ Code: 'INVALID_ID' }] });
    });
  });
});

describe('fixtures/generate-fixtures.ts', () => {
  it('regenerates the committed fixture files byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fixtures-'));
    try {
      mkdirSync(join(dir, 'fixtures'));
      // The generator imports only types from src, so it runs on its own in a scratch directory.
      copyFileSync(fixture('generate-fixtures.ts'), join(dir, 'fixtures', 'generate-fixtures.ts'));
      execFileSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(dir, 'fixtures', 'generate-fixtures.ts')], {
        stdio: 'pipe',
      });
      for (const name of ['tenant.json', 'usage-corrections.csv', 'usage-corrections-with-problems.csv']) {
        expect(readFileSync(join(dir, 'fixtures', name), 'utf8'), name).toBe(readFileSync(fixture(name), 'utf8'));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
