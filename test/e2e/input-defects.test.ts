import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/simulator/create-simulator.js';
import { demoEnv, readCsv, runCli } from '../helpers/cli.js';
import { usageId } from '../helpers/sender.js';
import { tempDir } from '../helpers/temp-dir.js';
import { putRequests } from '../helpers/received-requests.js';

/**
 * Issue 8 "Never wrong, never silent", input stage: a prefixed correction column, a quoting error and a
 * file in another encoding must each stop the run before anything is sent, in the user's words, or
 * (with --encoding) be read right. Each test spawns the built CLI against a simulator.
 */

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const ID1 = usageId(1);
const ID2 = usageId(2);
const ID3 = usageId(3);

/** A fresh folder (removed after the test) with `name` holding exactly these bytes. */
async function inputFile(name: string, content: string | Buffer): Promise<{ dir: string; input: string }> {
  const dir = await tempDir('zuu-input-defects-');
  const input = join(dir, name);
  await writeFile(input, content);
  return { dir, input };
}

function puts(simulator: Simulator): Array<{ id: string | undefined; body: unknown }> {
  // A request answered by a scripted fault is not decoded: its body is recorded empty.
  return putRequests(simulator).map((r) => ({ id: r.usageId, body: r.body === '' ? undefined : (JSON.parse(r.body) as unknown) }));
}

describe('a prefixed correction column is never silently dropped', () => {
  it.each([
    ['Corrected: Quantity', 'did you mean Quantity?'],
    ['New: Quantity', 'did you mean Quantity?'],
    ['Adjusted:Qty', 'did you mean Quantity?'],
    ['Revised: Start Date', 'did you mean StartDateTime?'],
  ])('%j: exit 1, "%s", nothing sent, no file written', async (column, suggestion) => {
    sim = await createSimulator({ acceptAnyId: true });
    const { dir, input } = await inputFile('prefixed.csv', `Id,${column},Unit Of Measure\n${ID1},5,Each\n${ID2},2026-03-01,Each\n`);
    const run = await runCli([input], { env: demoEnv(sim) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`"${column}" (column 2; ${suggestion}`);
    expect(run.stderr).toContain('is not a Zuora object');
    expect(puts(sim)).toEqual([]);
    expect(await readdir(dir)).toEqual(['prefixed.csv']);
  });

  it('a real Zuora object prefix is still another object\'s column: ignored, and the rest is sent', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const { input } = await inputFile('joined.csv', `Id,Account: Account Number,Rate Plan Charge.Charge Number,Quantity\n${ID1},A-001,C-9,5\n`);
    const run = await runCli([input], { env: demoEnv(sim) });
    expect(run.code).toBe(0);
    expect(puts(sim)).toEqual([{ id: ID1, body: { Quantity: 5 } }]);
  });
});

describe('a quoting error: nothing is sent, exit 1, naming the line where the quote opened', () => {
  // Line 2 opens a cell whose text runs over lines 3-4; line 3 looks like a row.
  const unclosed = `Id,Quantity,UOM\n${ID1},"5,Each\n${ID2},999,Each\n${ID3},7,Each\n`;
  const textAfterClosing = `Id,Quantity,UOM\n${ID1},5,Each\n${ID2},"7\n${ID3},999,Each\n"x,Each\n`;

  it.each([
    ['a quote that never closes', unclosed, 'the quote that opens a cell on line 2'],
    ['text after a closing quote', textAfterClosing, 'the quoted cell that opens on line 3'],
  ])('%s', async (_name, text, where) => {
    sim = await createSimulator({ acceptAnyId: true });
    const { dir, input } = await inputFile('quotes.csv', text);
    const run = await runCli([input], { env: demoEnv(sim) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('has a quoting error');
    expect(run.stderr).toContain(where);
    expect(run.stderr).toContain('nothing was sent');
    // Not even a token: the structure is checked before the first request.
    expect(sim.requests).toEqual([]);
    expect(await readdir(dir)).toEqual(['quotes.csv']);
  });

  it('--dry-run reports it too (exit 1) and writes nothing', async () => {
    const { dir, input } = await inputFile('quotes.csv', unclosed);
    const run = await runCli([input, '--dry-run', '--env', 'us-sandbox']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the quote that opens a cell on line 2');
    expect(await readdir(dir)).toEqual(['quotes.csv']);
  });

  it('at the end of a file of 100,000 rows: not one row is sent before it is found', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const dir = await tempDir('zuu-input-defects-');
    const input = join(dir, 'large.csv');
    const out = createWriteStream(input);
    out.write('Id,Quantity,UOM,Description\n');
    for (let i = 0; i < 100_000; i++) {
      if (!out.write(`${usageId(i)},${i}.5,Each,"row ""${i}"""\n`)) await once(out, 'drain');
    }
    out.write(`${ID1},1,Each,"12" pipe\n`);
    out.end();
    await once(out, 'finish');
    const run = await runCli([input], { env: demoEnv(sim) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('opens on line 100002');
    expect(sim.requests).toEqual([]);
  });

  it('a quote inside an unquoted cell is an ordinary character, as in Excel: the file is sent', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const { input } = await inputFile('inches.csv', `Id,Quantity,Description\n${ID1},5,12" pipe\n`);
    const run = await runCli([input], { env: demoEnv(sim) });
    expect(run.code).toBe(0);
    expect(puts(sim)).toEqual([{ id: ID1, body: { Quantity: 5 } }]);
  });
});

/** What Excel's plain "CSV (Comma delimited)" writes on Windows: windows-1252 bytes, CRLF, no BOM. */
function windows1252(text: string): Buffer {
  const high: Record<string, number> = { '€': 0x80, '“': 0x93, '”': 0x94, '–': 0x96 };
  return Buffer.from([...text].map((char) => high[char] ?? char.charCodeAt(0)));
}

const REGION = 'Zürich – “Süd” €';
const excelCsv = windows1252(`Id,Quantity,UOM,Region__c\r\n${ID1},5,Each,${REGION}\r\n${ID2},6,Stück,Genève\r\n`);

describe('a file that is not UTF-8', () => {
  it('is refused before anything is sent, naming the first bad line and suggesting --encoding windows-1252', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const { dir, input } = await inputFile('excel.csv', excelCsv);
    const run = await runCli([input], { env: demoEnv(sim) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is not valid UTF-8: line 2 has the byte 0xFC');
    expect(run.stderr).toContain(`the line is: ${ID1},5,Each,${REGION})`);
    expect(run.stderr).toContain('--encoding windows-1252');
    expect(sim.requests).toEqual([]);
    expect(await readdir(dir)).toEqual(['excel.csv']);
  });

  it.each(['windows-1252', 'latin1'])('with --encoding %s: cells sent and echoed right, outputs UTF-8 with a BOM', async (encoding) => {
    sim = await createSimulator({ acceptAnyId: true });
    const { dir, input } = await inputFile('excel.csv', excelCsv);
    const run = await runCli([input, '--encoding', encoding], { env: demoEnv(sim) });
    expect(run.code).toBe(2);
    expect(puts(sim)).toEqual([
      { id: ID1, body: { Quantity: 5, UOM: 'Each', Region__c: REGION } },
      { id: ID2, body: { Quantity: 6, UOM: 'Stück', Region__c: 'Genève' } },
    ]);
    for (const file of ['excel.results.csv', 'excel.failures.csv']) {
      const bytes = await readFile(join(dir, file));
      expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    }
    const results = await readCsv(join(dir, 'excel.results.csv'));
    expect(results.map((r) => [r.Region__c, r.UOM, r.result])).toEqual([
      [REGION, 'Each', 'updated'],
      ['Genève', 'Stück', 'failed'],
    ]);
    // The next step repeats --encoding; the failures file (UTF-8 with a BOM) is still read as UTF-8.
    expect(run.stderr).toContain(`--encoding ${encoding}`);
    await sim.close();
    sim = await createSimulator({ acceptAnyId: true, unitsOfMeasure: ['Each', 'Stück'] });
    const rerun = await runCli([join(dir, 'excel.failures.csv'), '--encoding', encoding], { env: demoEnv(sim) });
    expect(rerun.code).toBe(0);
    expect(puts(sim)).toEqual([{ id: ID2, body: { Quantity: 6, UOM: 'Stück', Region__c: 'Genève' } }]);
  });

  it('--resume of a windows-1252 input keeps the rows already updated: their decoded cells match the UTF-8 results', async () => {
    sim = await createSimulator({ acceptAnyId: true, unitsOfMeasure: ['Each', 'Stück'], faults: { [ID2]: [{ kind: 'zuora-error', code: 'INVALID_VALUE' }] } });
    const { dir, input } = await inputFile('excel.csv', excelCsv);
    const first = await runCli([input, '--encoding', 'windows-1252'], { env: demoEnv(sim) });
    expect(first.code).toBe(2);
    const sentBefore = puts(sim).length;
    const resumed = await runCli([input, '--encoding', 'windows-1252', '--resume', '--out', join(dir, 'excel.results.csv')], { env: demoEnv(sim) });
    expect(resumed.code).toBe(0);
    expect(puts(sim).slice(sentBefore)).toEqual([{ id: ID2, body: { Quantity: 6, UOM: 'Stück', Region__c: 'Genève' } }]);
    const results = await readCsv(join(dir, 'excel.results.csv'));
    expect(results.map((r) => [r.Region__c, r.result])).toEqual([
      [REGION, 'updated'],
      ['Genève', 'updated'],
    ]);
  });

  it('a UTF-8 file with accents given --encoding windows-1252 is refused rather than sent garbled', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const { input } = await inputFile('utf8.csv', `Id,Quantity,Region__c\n${ID1},5,Genève\n`);
    const run = await runCli([input, '--encoding', 'windows-1252'], { env: demoEnv(sim) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`but it is UTF-8: line 2 reads "${ID1},5,Genève" in UTF-8 and would be sent as "${ID1},5,GenÃ¨ve"`);
    expect(sim.requests).toEqual([]);
  });

  it.each([
    ['UTF-16 with a BOM', Buffer.from(`\uFEFFId,Quantity\r\n${ID1},5\r\n`, 'utf16le'), 'UTF-16 (little endian)'],
    ['UTF-16 without a BOM', Buffer.from(`Id,Quantity\r\n${ID1},5\r\n`, 'utf16le'), 'UTF-16 (little endian, without byte order mark)'],
    ['UTF-16 big endian without a BOM', Buffer.from(`Id,Quantity\r\n${ID1},5\r\n`, 'utf16le').swap16(), 'UTF-16 (big endian, without byte order mark)'],
  ])('%s is refused, saying so, also with --encoding windows-1252', async (_name, bytes, flavour) => {
    sim = await createSimulator({ acceptAnyId: true });
    const { input } = await inputFile('unicode.csv', bytes);
    for (const extra of [[], ['--encoding', 'windows-1252']]) {
      const run = await runCli([input, ...extra], { env: demoEnv(sim) });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`is ${flavour}, which is not supported`);
    }
    expect(sim.requests).toEqual([]);
  });

  it('an unknown --encoding names the flag and the accepted values', async () => {
    const { input } = await inputFile('any.csv', `Id,Quantity\n${ID1},5\n`);
    const run = await runCli([input, '--dry-run', '--env', 'us-sandbox', '--encoding', 'utf-16']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--encoding "utf-16" is not supported: use utf-8, windows-1252, latin1');
  });
});

describe('"-" as the input', () => {
  it('says that standard input is not supported, and why', async () => {
    const run = await runCli(['-', '--dry-run', '--env', 'us-sandbox']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('"-" (standard input) is not supported as the input, nor an empty path: give the path of the CSV file');
    expect(run.stderr).toContain('--resume');
  });
});
