import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResultsWriter } from '../../../src/output/results-writer.js';
import { realResultsPath } from '../../../src/output/side-files.js';
import { runInfoPath } from '../../../src/resume/run-info.js';
import { run } from '../../../src/run.js';
import type { ApplyStages } from '../../../src/run/apply-pipeline.js';
import { readAndSend } from '../../../src/run/read-and-send.js';
import { openRunOutputs } from '../../../src/run/run-outputs.js';
import type { SendItem } from '../../../src/send/transport.js';
import { createSimulator, type Simulator } from '../../../src/simulator/create-simulator.js';
import { readCsv, workdir } from '../../helpers/cli.js';
import { writeCorrections } from '../../helpers/generate.js';
import { quietLogger, runOptions, virtualTime } from '../../helpers/run-options.js';
import { waitFor } from '../../helpers/wait-for.js';

/**
 * The applying run's files on its exit paths, with a stage replaced (RunDeps.stages): an unexpected
 * error injected after some rows were answered, and the files looked at between two steps.
 */
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const puts = (s: Simulator, from = 0) => s.requests.slice(from).filter((r) => r.method === 'PUT');
const written = (writer: ResultsWriter | undefined) => Object.values(writer?.counts ?? {}).reduce((sum, n) => sum + n, 0);

describe('the applying run on its exit paths', () => {
  it('an unexpected error after rows were answered: those rows are in the results file, and --resume finishes the run', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const { input } = await workdir({ name: 'e.csv', text: '' });
    const rows = await writeCorrections(input, 40);
    const options = runOptions(input, sim, { concurrency: 4 });
    let writer: ResultsWriter | undefined;
    // Passes 10 rows to the send stage, waits until all 10 are answered and handed to the writer, then fails.
    async function* failingAfterTen(items: AsyncIterable<SendItem>): AsyncGenerator<SendItem> {
      let passed = 0;
      for await (const item of items) {
        if (passed === 10) {
          await waitFor(() => written(writer) === 10, { what: 'the first 10 rows answered' });
          throw new Error('injected: a stage failed');
        }
        passed++;
        yield item;
      }
    }
    const stages: Partial<ApplyStages> = {
      openOutputs: async (context, targets) => {
        const outputs = await openRunOutputs(context, targets);
        writer = outputs.writer;
        return outputs;
      },
      send: (items, ...rest) => readAndSend(failingAfterTen(items), ...rest),
    };
    await expect(run(options, { logger: quietLogger, ...virtualTime(), stages })).rejects.toThrow('injected: a stage failed');
    // The rows answered before the error are on disk (written in batches: only the close at the run's end puts them there).
    const recorded = await readCsv(options.out);
    expect(recorded.map((r) => [r.line, r.result])).toEqual(rows.slice(0, 10).map((_, i) => [String(i + 2), 'updated']));

    const mark = sim.requests.length;
    const summary = await run({ ...options, resume: true }, { logger: quietLogger, ...virtualTime() });
    expect(summary.exitCode).toBe(0);
    expect(summary.keptFromEarlierRun).toBe(10);
    // Only the rows never answered are sent: none of the first 10 again.
    expect(puts(sim, mark).map((r) => Number(r.trackId?.split('-').pop())).sort((a, b) => a - b)).toEqual(rows.slice(10).map((_, i) => i + 12));
    const results = await readCsv(options.out);
    expect(results.map((r) => Number(r.line))).toEqual(rows.map((_, i) => i + 2));
    expect(results.every((r) => r.result === 'updated')).toBe(true);
  });

  it('.run.json is removed before the results file is truncated, and written again only once the results file is this run\'s', async () => {
    sim = await createSimulator({ acceptAnyId: true });
    const { input } = await workdir({ name: 'o.csv', text: '' });
    await writeCorrections(input, 5);
    const options = runOptions(input, sim);
    // An earlier run, finished: its results and its .run.json (the tenant they were written against).
    expect((await run(options, { logger: quietLogger, ...virtualTime() })).exitCode).toBe(0);
    const out = realResultsPath(options.out);
    const earlier = readFileSync(out, 'utf8');
    expect(existsSync(runInfoPath(out))).toBe(true);

    const seen: Array<{ step: string; runInfo: boolean; results: string }> = [];
    const look = (step: string) => seen.push({ step, runInfo: existsSync(runInfoPath(out)), results: statSync(out).size === Buffer.byteLength(earlier) ? 'earlier' : 'this run' });
    const stages: Partial<ApplyStages> = {
      openOutputs: async (context, targets) => {
        look('before the results are opened');
        const outputs = await openRunOutputs(context, targets);
        look('once the results are opened');
        return outputs;
      },
      send: (...args) => {
        look('before the first row is sent');
        return readAndSend(...args);
      },
    };
    expect((await run(options, { logger: quietLogger, ...virtualTime(), stages })).exitCode).toBe(0);
    expect(seen).toEqual([
      { step: 'before the results are opened', runInfo: false, results: 'earlier' },
      { step: 'once the results are opened', runInfo: false, results: 'this run' },
      { step: 'before the first row is sent', runInfo: true, results: 'this run' },
    ]);
    expect(JSON.parse(readFileSync(runInfoPath(out), 'utf8'))).toMatchObject({ results: out, completedAt: expect.any(String) });
  });
});
