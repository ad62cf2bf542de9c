import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/simulator/create-simulator.js';
import { demoEnv, readCsv, runCli, workdir } from '../helpers/cli.js';
import { seededRandom } from '../helpers/generate.js';
import { usageId } from '../helpers/sender.js';
import { putRequests } from '../helpers/received-requests.js';
import { runAndKill } from '../helpers/start-cli.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A folder (removed after the test) with the input `name` holding `text`, and its results path. */
async function folder(name: string, text: string): Promise<{ input: string; out: string }> {
  const { input } = await workdir({ name, text });
  return { input, out: input.replace(/\.csv$/, '.results.csv') };
}

const csv = (rows: Array<[string, string]>): string => `Id,Quantity\n${rows.map(([id, q]) => `${id},${q}`).join('\n')}\n`;

function quantity(s: Simulator, id: string): string {
  return String(s.tenant.get(id)?.Quantity);
}

/** The last row of each Id, as Zuora must hold it after a run of `rows`. */
function lastRows(rows: Array<[string, string]>): Map<string, string> {
  return new Map(rows);
}

describe('--resume after the input changed', () => {
  it('leaves every Id at its last row in the current input (a row of an Id deleted after it was applied)', async () => {
    const [X, Y, Z] = [usageId(1), usageId(2), usageId(3)];
    sim = await createSimulator({ acceptAnyId: true });
    const { input, out } = await folder('c.csv', csv([[X, '5'], [X, '7'], [Y, '1']]));
    expect((await runCli([input], { env: demoEnv(sim) })).code).toBe(0);
    expect(quantity(sim, X)).toBe('7');

    await writeFile(input, csv([[X, '5'], [Z, '2'], [Y, '1']]));
    const mark = sim.requests.length;
    const resumed = await runCli([input, '--resume'], { env: demoEnv(sim) });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(quantity(sim, X)).toBe('5');
    expect(quantity(sim, Z)).toBe('2');
    // Y's row is recorded updated and its Id untouched: not sent again.
    expect(putRequests(sim, mark).map((r) => r.usageId)).toEqual([X, Z]);
    const results = await readCsv(out);
    expect(results.map((r) => [r.Id, r.Quantity, r.result, r.line])).toEqual([
      [X, '5', 'updated', '2'],
      [Z, '2', 'updated', '3'],
      [Y, '1', 'updated', '4'],
    ]);
  });

  it('sends all rows of an Id in file order when they were reordered', async () => {
    const [X, Y] = [usageId(1), usageId(2)];
    sim = await createSimulator({ acceptAnyId: true });
    const { input } = await folder('o.csv', csv([[X, '1'], [Y, '9'], [X, '2']]));
    expect((await runCli([input], { env: demoEnv(sim) })).code).toBe(0);
    await writeFile(input, csv([[X, '2'], [Y, '9'], [X, '1']]));
    const mark = sim.requests.length;
    expect((await runCli([input, '--resume'], { env: demoEnv(sim) })).code).toBe(0);
    expect(putRequests(sim, mark).map((r) => r.trackId?.split('-').pop())).toEqual(['2', '4']);
    expect(quantity(sim, X)).toBe('1');
  });

  it('a sorted file with one row deleted: only the rows of that Id are sent, every other Id keeps its record at its new line', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const random = seededRandom(16);
    // 40 Ids, the first 10 with two rows each, in a shuffled order.
    const ids = Array.from({ length: 40 }, (_, i) => usageId(200 + i));
    const rows: Array<[string, string]> = [...ids.map((id, i): [string, string] => [id, `${i}.5`]), ...ids.slice(0, 10).map((id, i): [string, string] => [id, `${i}.75`])];
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    const { input, out } = await folder('sorted.csv', csv(rows));
    expect((await runCli([input], { env: demoEnv(sim) })).code).toBe(0);
    const before = new Map((await readCsv(out)).map((r) => [`${r.Id},${r.Quantity}`, r]));

    // Sorted by Id in a spreadsheet (a stable sort: the rows of an Id keep their order), then the first row
    // of an Id with two rows deleted.
    const touched = ids[3]!;
    const sorted = [...rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    sorted.splice(sorted.findIndex(([id]) => id === touched), 1);
    await writeFile(input, csv(sorted));
    const mark = sim.requests.length;
    const resumed = await runCli([input, '--resume'], { env: demoEnv(sim) });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(putRequests(sim, mark).map((r) => r.usageId)).toEqual([touched]);
    expect(quantity(sim, touched)).toBe(sorted.find(([id]) => id === touched)![1]);

    const results = await readCsv(out);
    expect(results.map((r) => [r.Id, r.Quantity])).toEqual(sorted);
    expect(results.map((r) => Number(r.line))).toEqual(sorted.map((_, i) => i + 2));
    expect(results.every((r) => r.result === 'updated')).toBe(true);
    // The rows kept carry their earlier record (its track id and request id), not a new one.
    for (const r of results.filter((x) => x.Id !== touched)) {
      const earlier = before.get(`${r.Id},${r.Quantity}`)!;
      expect([r.track_id, r.request_id]).toEqual([earlier.track_id, earlier.request_id]);
    }
  });

  it('a row deleted near the top: no row is sent, and the rows below keep their records at their new lines', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const rows = Array.from({ length: 30 }, (_, i): [string, string] => [usageId(300 + i), `${i}.25`]);
    const { input, out } = await folder('top.csv', csv(rows));
    expect((await runCli([input], { env: demoEnv(sim) })).code).toBe(0);
    const trackIds = (await readCsv(out)).map((r) => r.track_id);

    await writeFile(input, csv(rows.slice(1)));
    const mark = sim.requests.length;
    const resumed = await runCli([input, '--resume'], { env: demoEnv(sim) });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(putRequests(sim, mark)).toEqual([]);
    const results = await readCsv(out);
    expect(results.map((r) => r.Id)).toEqual(rows.slice(1).map(([id]) => id));
    expect(results.map((r) => Number(r.line))).toEqual(rows.slice(1).map((_, i) => i + 2));
    expect(results.map((r) => r.track_id)).toEqual(trackIds.slice(1));
  });

  it('ends with exactly one results row per current input record: a shorter input keeps nothing of the old one', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const rows = Array.from({ length: 50 }, (_, i): [string, string] => [usageId(100 + i), `${i}.5`]);
    const { input, out } = await folder('s.csv', csv(rows));
    expect((await runCli([input], { env: demoEnv(sim) })).code).toBe(0);
    expect(await readCsv(out)).toHaveLength(50);

    await writeFile(input, csv(rows.slice(0, 20)));
    const mark = sim.requests.length;
    const resumed = await runCli([input, '--resume'], { env: demoEnv(sim) });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(putRequests(sim, mark)).toEqual([]);
    const results = await readCsv(out);
    expect(results.map((r) => r.line)).toEqual(rows.slice(0, 20).map((_, i) => String(i + 2)));
    expect(results.map((r) => r.Id)).toEqual(rows.slice(0, 20).map(([id]) => id));
    expect(results.every((r) => r.result === 'updated')).toBe(true);
  });

  it('after a kill -9 that left a row applied but unrecorded, and that row deleted from the file, sends its Id again', async () => {
    const [X, Y] = [usageId(1), usageId(2)];
    const success = { kind: 'status' as const, status: 200, body: `{"Success":true,"Id":"${X}"}` };
    // X's first row is answered without being applied; its second is applied and never answered (the
    // connection drops, the retry hangs), so the run is killed with it unrecorded.
    sim = await createSimulator({ acceptAnyId: true, faults: { [X]: [success, { kind: 'apply-then-drop' }, { kind: 'hang' }] } });
    const { input, out } = await folder('k.csv', csv([[X, '5'], [Y, '1'], [X, '7']]));
    const s = sim;
    const recordedY = (): boolean => existsSync(out) && readFileSync(out, 'utf8').includes(`${Y},1,updated`);
    await runAndKill([input], demoEnv(s), () => s.requests.filter((r) => r.usageId === X).length >= 3 && recordedY());
    expect(quantity(s, X)).toBe('7');
    expect((await readCsv(out)).map((r) => r.result)).toEqual(['updated', 'updated']);

    // The user deletes the row that was applied but never recorded.
    await writeFile(input, csv([[X, '5'], [Y, '1']]));
    const mark = s.requests.length;
    const resumed = await runCli([input, '--resume'], { env: demoEnv(s) });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(putRequests(s, mark).map((r) => r.usageId)).toEqual([X]);
    expect(quantity(s, X)).toBe('5');
    expect((await readCsv(out)).map((r) => [r.Id, r.result])).toEqual([
      [X, 'updated'],
      [Y, 'updated'],
    ]);
    for (const leftover of ['.partial', '.journal', '.lock']) expect(existsSync(`${out}${leftover}`), leftover).toBe(false);
  });

  it('after kill -9 at random moments with the input edited in between, every Id ends at its last row and the results match the input', async () => {
    const seed = Number(process.env.RESUME_SEED ?? 8);
    const random = seededRandom(seed);
    for (let trial = 0; trial < 4; trial++) {
      sim = await createSimulator({ acceptAnyId: true, latencyMs: 4 });
      const ids = Array.from({ length: 60 }, (_, i) => usageId(trial * 1000 + i));
      let rows = Array.from({ length: 300 }, (_, i): [string, string] => [ids[Math.floor(random() * ids.length)]!, `${i}.5`]);
      const { input, out } = await folder('e.csv', csv(rows));
      const context = `seed ${seed}, trial ${trial}`;
      const edit = async (): Promise<void> => {
        const next: Array<[string, string]> = [];
        for (const [id, q] of rows) {
          const roll = random();
          if (roll < 0.1) continue; // deleted
          if (roll < 0.2) next.push([id, `${Math.floor(random() * 1000)}.75`]); // edited
          else if (roll < 0.25) next.push([ids[Math.floor(random() * ids.length)]!, q]); // another Id
          else next.push([id, q]);
        }
        for (let i = 0; i < 10; i++) next.splice(Math.floor(random() * next.length), 0, [ids[Math.floor(random() * ids.length)]!, `${900 + i}.25`]);
        rows = next;
        await writeFile(input, csv(rows));
      };

      const args = [input, '-c', '8', '--resume'];
      // Killed after a random number of requests (not a random time: a slow machine must not make the kill land before the first row).
      const killAfterPuts = async (): Promise<void> => {
        const s = sim!;
        const mark = s.requests.length;
        const puts = 1 + Math.floor(random() * rows.length * 0.8);
        await runAndKill(args, demoEnv(s), () => putRequests(s, mark).length >= puts);
      };
      await killAfterPuts();
      await edit();
      await killAfterPuts();
      await edit();
      const final = await runCli(args, { env: demoEnv(sim) });
      expect(final.code, `${context}: ${final.stderr}`).toBe(0);

      const results = await readCsv(out);
      expect(results.map((r) => [r.Id, r.Quantity]), context).toEqual(rows);
      expect(results.map((r) => Number(r.line)), context).toEqual(rows.map((_, i) => i + 2));
      expect(results.every((r) => r.result === 'updated'), context).toBe(true);
      for (const [id, q] of lastRows(rows)) expect(quantity(sim, id), `${context}, Id ${id}`).toBe(q);
      for (const leftover of ['.partial', '.journal', '.lock']) expect(existsSync(`${out}${leftover}`), `${context} ${leftover}`).toBe(false);
      await sim.close();
      sim = undefined;
    }
  }, 120_000);

  it('after kill -9 at random moments with rows moved or the file sorted in between, every Id ends at its last row and no untouched row is sent', async () => {
    const seed = Number(process.env.RESUME_MOVE_SEED ?? 15);
    const random = seededRandom(seed);
    for (let trial = 0; trial < 3; trial++) {
      sim = await createSimulator({ acceptAnyId: true, latencyMs: 4 });
      const ids = Array.from({ length: 80 }, (_, i) => usageId(50_000 + trial * 1000 + i));
      let rows = Array.from({ length: 240 }, (_, i): [string, string] => [ids[Math.floor(random() * ids.length)]!, `${i}.5`]);
      const { input, out } = await folder('m.csv', csv(rows));
      const context = `seed ${seed}, trial ${trial}`;
      // Moves a few rows, or sorts the file by Id (stable), and deletes one row.
      const edit = async (): Promise<void> => {
        const next = [...rows];
        if (random() < 0.5) next.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        else for (let i = 0; i < 5; i++) next.splice(Math.floor(random() * next.length), 0, ...next.splice(Math.floor(random() * next.length), 1));
        next.splice(Math.floor(random() * next.length), 1);
        rows = next;
        await writeFile(input, csv(rows));
      };
      const args = [input, '-c', '8', '--resume'];
      const killAfterPuts = async (): Promise<void> => {
        const s = sim!;
        const mark = s.requests.length;
        const puts = 1 + Math.floor(random() * rows.length * 0.8);
        await runAndKill(args, demoEnv(s), () => putRequests(s, mark).length >= puts);
      };
      await killAfterPuts();
      await edit();
      await killAfterPuts();
      await edit();
      const final = await runCli(args, { env: demoEnv(sim) });
      expect(final.code, `${context}: ${final.stderr}`).toBe(0);

      const results = await readCsv(out);
      expect(results.map((r) => [r.Id, r.Quantity]), context).toEqual(rows);
      expect(results.map((r) => Number(r.line)), context).toEqual(rows.map((_, i) => i + 2));
      expect(results.every((r) => r.result === 'updated'), context).toBe(true);
      for (const [id, q] of lastRows(rows)) expect(quantity(sim, id), `${context}, Id ${id}`).toBe(q);

      // Once finished, a move of rows of untouched Ids sends nothing.
      const moved = [...rows.slice(1), rows[0]!].filter(([id]) => id !== rows[0]![0]).concat(rows.filter(([id]) => id === rows[0]![0]));
      await writeFile(input, csv(moved));
      const mark = sim.requests.length;
      expect((await runCli(args, { env: demoEnv(sim) })).code, context).toBe(0);
      expect(putRequests(sim, mark), context).toEqual([]);
      await sim.close();
      sim = undefined;
    }
  }, 120_000);
});
