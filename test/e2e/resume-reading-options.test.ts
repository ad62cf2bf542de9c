import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runInfoPath } from '../../src/resume/run-info.js';
import { createSimulator, type Simulator } from '../../src/simulator/create-simulator.js';
import { demoEnv, runCli, workdir } from '../helpers/cli.js';
import { usageId } from '../helpers/sender.js';
import { putRequests } from '../helpers/received-requests.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Three rows that every reading below accepts (ISO dates, ASCII, a comma delimiter, no unknown column). */
const INPUT = `Id,Quantity,StartDateTime\n${[1, 2, 3].map((i) => `${usageId(i)},${i}.5,2026-03-0${i}`).join('\n')}\n`;

describe('--resume with other reading options (issue 16 item 7)', () => {
  it.each([
    { flag: '--date-format', first: ['--date-format', 'MM/DD/YYYY'], then: ['--date-format', 'DD/MM/YYYY'], values: ['MM/DD/YYYY', 'DD/MM/YYYY'] },
    { flag: '--date-format', first: ['--date-format', 'MM/DD/YYYY'], then: [], values: ['MM/DD/YYYY', 'not given (ISO only)'] },
    { flag: '--encoding', first: ['--encoding', 'windows-1252'], then: ['--encoding', 'latin1'], values: ['windows-1252', 'latin1'] },
    { flag: '--delimiter', first: [], then: ['--delimiter', ','], values: ['not given (detected)', '","'] },
    { flag: '--ignore-unknown-columns', first: [], then: ['--ignore-unknown-columns'], values: ['off', 'on'] },
  ])('$flag $values.0 then $values.1: exit 1 naming the option and both values, no row sent, results left as they were', async ({ flag, first, then, values }) => {
    sim = await createSimulator({ acceptAnyId: true });
    const { dir, input } = await workdir({ name: 'r.csv', text: INPUT });
    const out = join(dir, 'r.results.csv');
    const run = await runCli([input, ...first], { env: demoEnv(sim) });
    expect(run.code, run.stderr).toBe(0);
    const before = readFileSync(out, 'utf8');

    const mark = sim.requests.length;
    const resumed = await runCli([input, '--resume', ...then], { env: demoEnv(sim) });
    expect(resumed.code, resumed.stderr).toBe(1);
    // The message as written in a JSON log line or as text.
    expect(resumed.stderr.replaceAll('\\"', '"')).toContain(`written with ${flag} ${values[0]}, and this run has ${flag} ${values[1]}`);
    expect(putRequests(sim, mark)).toEqual([]);
    expect(readFileSync(out, 'utf8')).toBe(before);

    // The same options finish the run as usual: nothing to send.
    const same = await runCli([input, '--resume', ...first], { env: demoEnv(sim) });
    expect(same.code, same.stderr).toBe(0);
    expect(putRequests(sim, mark)).toEqual([]);
  });

  it('a run that recorded no reading options (an earlier version): kept as usual with the defaults, every row processed again with others', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const { dir, input } = await workdir({ name: 'v.csv', text: INPUT });
    const out = join(dir, 'v.results.csv');
    expect((await runCli([input], { env: demoEnv(sim) })).code).toBe(0);
    const dropReading = async (): Promise<void> => {
      const info = JSON.parse(await readFile(runInfoPath(out), 'utf8')) as Record<string, unknown>;
      expect(info.reading).toMatchObject({ dateFormat: 'ISO only', encoding: 'utf-8', delimiter: 'detected', ignoreUnknownColumns: false, decimalComma: false });
      delete info.reading;
      await writeFile(runInfoPath(out), JSON.stringify(info));
    };

    await dropReading();
    let mark = sim.requests.length;
    const defaults = await runCli([input, '--resume'], { env: demoEnv(sim) });
    expect(defaults.code, defaults.stderr).toBe(0);
    expect(putRequests(sim, mark)).toEqual([]);

    await dropReading();
    mark = sim.requests.length;
    const other = await runCli([input, '--resume', '--date-format', 'DD/MM/YYYY'], { env: demoEnv(sim) });
    expect(other.code, other.stderr).toBe(0);
    expect(other.stderr).toContain('no record of the reading options');
    expect(putRequests(sim, mark)).toHaveLength(3);
  });
});
