import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvLine } from '../../src/output/csv-line.js';
import { demoEnv, readCsv, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { simulatorPerTest, tenantIds } from '../helpers/with-simulator.js';
import { updateRequests } from '../helpers/received-requests.js';

const start = simulatorPerTest();

/** The cells of an export by Id and column. */
async function cellsById(path: string): Promise<Map<string, Record<string, string>>> {
  return new Map((await readCsv(path)).map((row) => [row.Id ?? '', row]));
}

/** Every (Id, column) whose cell differs between two exports, compared by Id (an edited date moves a row). */
function differingCells(a: Map<string, Record<string, string>>, b: Map<string, Record<string, string>>): string[] {
  const found: string[] = [];
  for (const [id, row] of a) {
    const other = b.get(id);
    if (!other) {
      found.push(`${id} missing`);
      continue;
    }
    for (const [column, value] of Object.entries(row)) if (other[column] !== value) found.push(`${id} ${column}: ${value} -> ${other[column]}`);
  }
  for (const id of b.keys()) if (!a.has(id)) found.push(`${id} added`);
  return found;
}

describe('the round trip: export, edit, preview, apply only the differences, export again, restore', () => {
  it('changes exactly the two edited cells in Zuora, and the backup brings the first export back', async () => {
    // One simulator for every command, as one tenant would be.
    const s = await start({});
    const env = demoEnv(s);
    const dir = await tempDir();
    const first = join(dir, 'usage.csv');

    const exported = await runCli(['export', '-o', first, '--track-prefix', 'rt'], { env });
    expect(exported.code, exported.stderr).toBe(0);
    const text = await readFile(first, 'utf8');
    const rows = parse(text, { bom: true }) as string[][];
    const header = rows[0] ?? [];
    const at = (name: string): number => header.indexOf(name);
    const pending = new Set(tenantIds(s).pending);
    const editable = rows.slice(1).filter((row) => pending.has(row[0] ?? '') && /T00:00:00\.000-08:00$/.test(row[at('StartDateTime')] ?? '') && /T23:59:59\.000-08:00$/.test(row[at('EndDateTime')] ?? ''));
    const [quantityRow, dateRow] = editable;
    if (!quantityRow || !dateRow) throw new Error('the fixture tenant has no two plain pending records');
    const quantityId = quantityRow[0] ?? '';
    const dateId = dateRow[0] ?? '';
    const oldQuantity = quantityRow[at('Quantity')] ?? '';
    const oldStart = dateRow[at('StartDateTime')] ?? '';
    const newStart = oldStart.replace('T00:00:00', 'T06:00:00');
    quantityRow[at('Quantity')] = '123.5';
    dateRow[at('StartDateTime')] = newStart;
    // Saved back as the export was written: BOM, CRLF.
    const edited = join(dir, 'usage-edited.csv');
    await writeFile(edited, `\uFEFF${rows.map((row) => csvLine(row, ',').replace(/\n$/, '\r\n')).join('')}`);

    const preview = await runCli([edited, '--preview'], { env });
    // 2: the billed records are `blocked` (a plain run would send their unchanged standard fields).
    expect(preview.code, preview.stderr).toBe(2);
    const previewed = await readCsv(join(dir, 'usage-edited.preview.csv'));
    expect(previewed.filter((r) => r.result === 'would-update').map((r) => r.Id).sort()).toEqual([quantityId, dateId].sort());
    expect(previewed.every((r) => ['would-update', 'unchanged', 'blocked'].includes(r.result ?? ''))).toBe(true);
    expect(updateRequests(s)).toEqual([]);

    const backup = join(dir, 'usage.backup.csv');
    const applied = await runCli([edited, '--skip-unchanged', '--backup', backup, '--verify', '--track-prefix', 'ap'], { env });
    expect(applied.code, applied.stderr).toBe(0);
    expect(updateRequests(s).map((r) => r.usageId).sort()).toEqual([quantityId, dateId].sort());
    const results = await readCsv(join(dir, 'usage-edited.results.csv'));
    expect(results.filter((r) => r.result === 'updated')).toHaveLength(2);
    expect(results.filter((r) => r.result === 'unchanged')).toHaveLength(rows.length - 3);

    const second = join(dir, 'usage-after.csv');
    expect((await runCli(['export', '-o', second], { env })).code).toBe(0);
    expect(differingCells(await cellsById(first), await cellsById(second)).sort()).toEqual(
      [`${quantityId} Quantity: ${oldQuantity} -> 123.5`, `${dateId} StartDateTime: ${oldStart} -> ${newStart}`].sort(),
    );

    const sentBefore = updateRequests(s).length;
    const restored = await runCli([backup, '--skip-unchanged', '--track-prefix', 're'], { env });
    expect(restored.code, restored.stderr).toBe(0);
    expect(updateRequests(s).slice(sentBefore).map((r) => r.usageId).sort()).toEqual([quantityId, dateId].sort());

    const third = join(dir, 'usage-restored.csv');
    expect((await runCli(['export', '-o', third], { env })).code).toBe(0);
    expect(await readFile(third, 'utf8')).toBe(text);
  });
});
