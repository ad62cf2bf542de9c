import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, type ReceivedRequest, type Simulator, type SimulatorOptions } from '../../src/simulator/create-simulator.js';
import { demoEnv, readCsv, ROOT, runCli, workdir } from '../helpers/cli.js';
import { seededRandom, testSeed, writeCorrections } from '../helpers/generate.js';
import { recordedUpdated } from '../helpers/recorded-results.js';
import { usageId } from '../helpers/sender.js';
import { waitFor } from '../helpers/wait-for.js';
import { updateRequests } from '../helpers/received-requests.js';
import { startCli } from '../helpers/start-cli.js';

/**
 * The end-to-end contract, once per transport: every guarantee of the PUT path holds for Actions calls
 * too. Only what differs by nature is parametrised (which requests carry a row, its track id, the status
 * of a per-object failure); the behaviour asserted is the same.
 */
type TransportName = 'put' | 'actions';

interface Transport {
  name: TransportName;
  /** The flags that choose it. */
  flags: string[];
  /** HTTP status recorded for a row Zuora refused: the PUT's own, or the 200 of the call that carried it. */
  refusedStatus: string;
  /** A row's track id, given the track prefix. */
  trackIdPattern(prefix: string, line: string): RegExp;
}

const TRANSPORTS: Transport[] = [
  { name: 'put', flags: ['--transport', 'put'], refusedStatus: '400', trackIdPattern: (prefix, line) => new RegExp(`^${prefix}-${line}$`) },
  { name: 'actions', flags: ['--transport', 'actions'], refusedStatus: '200', trackIdPattern: (prefix) => new RegExp(`^${prefix}-b\\d+$`) },
];

/** The usage ids a request carried, in order. */
function idsOf(request: ReceivedRequest): string[] {
  if (request.method === 'PUT') return request.usageId === undefined ? [] : [request.usageId];
  try {
    return (JSON.parse(request.body) as { objects: Array<{ Id: string }> }).objects.map((o) => o.Id);
  } catch {
    return [];
  }
}

const sentIds = (requests: ReceivedRequest[]): string[] => requests.flatMap(idsOf);

/** Ids recorded `updated` so far by a run that may have been killed. */
function recordedUpdatedIds(out: string): Set<string> {
  return new Set(recordedUpdated(out).map((row) => row.Id ?? ''));
}

/** Resolves once `count` update requests have arrived at the in-process simulator, or `stopped()` holds. */
async function untilUpdates(sim: Simulator, count: number, stopped: () => boolean = () => false): Promise<void> {
  await waitFor(() => stopped() || updateRequests(sim).length >= count, { timeoutMs: 60_000, what: `${count} update requests` });
}

/** The fixture with problems, without its RBE Status column (which Actions cannot update), so both transports run the same file. */
async function problemsWithoutRbeStatus(): Promise<{ dir: string; input: string }> {
  const text = await readFile(join(ROOT, 'fixtures', 'usage-corrections-with-problems.csv'), 'utf8');
  const lines = text.split('\n').map((line) => line.replace(/,[^,]*$/, ''));
  return workdir({ name: 'problems.csv', text: lines.join('\n') });
}

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await createSimulator(options);
  return sim;
}

describe.each(TRANSPORTS.map((t) => [t.name, t] as const))('--transport %s', (_name, transport) => {
  const { flags } = transport;

  it('all good: every row updated once, in input order, with the track and request ids of the request that carried it', async () => {
    const s = await start();
    const { dir, input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, ...flags, '--track-prefix', 'e2e', '-c', '4', '--summary-json', join(dir, 'summary.json')], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    const results = await readCsv(join(dir, 'usage-corrections.results.csv'));
    const inputRows = await readCsv(input);
    expect(results.map((r) => r['Usage: ID'])).toEqual(inputRows.map((r) => r['Usage: ID']));
    const requests = updateRequests(s);
    expect(requests.every((r) => r.contentEncoding === 'gzip' && r.status === 200)).toBe(true);
    expect(sentIds(requests).sort()).toEqual(inputRows.map((r) => r['Usage: ID']).sort());
    expect(s.stats.maxInFlight).toBeLessThanOrEqual(4);
    expect(s.stats.maxInFlightPerId).toBe(1);
    for (const row of results) {
      expect(row).toMatchObject({ result: 'updated', attempts: '1', http_status: '200' });
      expect(row.track_id).toMatch(transport.trackIdPattern('e2e', row.line ?? ''));
      const carrier = requests.find((r) => r.trackId === row.track_id);
      expect(carrier?.requestId).toBe(row.request_id);
      expect(idsOf(carrier!)).toContain(row['Usage: ID']);
    }
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ schema: 1, status: 'completed', exitCode: 0, requests: { updates: requests.length }, retries: 0 });
  });

  it('mixed outcomes: exit 2, a result per row, and a failures file that runs again as input', async () => {
    const s = await start();
    const { dir, input } = await problemsWithoutRbeStatus();
    const run = await runCli([input, ...flags], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(2);
    const results = await readCsv(join(dir, 'problems.results.csv'));
    const byLine = Object.fromEntries(results.map((r) => [r.line, r]));
    expect(byLine['2']).toMatchObject({ result: 'updated', attempts: '1' });
    expect(byLine['4']).toMatchObject({ result: 'invalid', attempts: '0' });
    expect(byLine['4']?.error_message).toMatch(/scientific notation/);
    expect(byLine['9']).toMatchObject({ result: 'failed', error_code: 'INVALID_VALUE', http_status: transport.refusedStatus, attempts: '1' });
    expect(byLine['10']).toMatchObject({ result: 'failed', error_code: 'INVALID_VALUE' });
    expect(byLine['11']).toMatchObject({ result: 'failed', error_code: 'INVALID_ID' });
    const sent = new Set(sentIds(updateRequests(s)));
    for (const row of results.filter((r) => r.result === 'invalid')) expect(sent.has(row.Id ?? '')).toBe(false);
    const failures = await readCsv(join(dir, 'problems.failures.csv'));
    expect(failures.map((r) => r.line)).toEqual(results.filter((r) => r.result !== 'updated').map((r) => r.line));

    const again = await runCli([join(dir, 'problems.failures.csv'), ...flags], { env: demoEnv(s) });
    expect(again.code).toBe(2);
    const rerun = await readCsv(join(dir, 'problems.failures.results.csv'));
    expect(rerun.map((r) => r.result)).toEqual(failures.map((r) => r.result));
    expect(rerun.map((r) => r.error_code)).toEqual(failures.map((r) => r.error_code));
  });

  it('--dry-run validates everything and sends nothing', async () => {
    const s = await start();
    const { dir, input } = await problemsWithoutRbeStatus();
    const run = await runCli([input, ...flags, '--dry-run', '--base-url', s.url]);
    expect(run.code).toBe(2);
    expect(s.requests).toEqual([]);
    const results = await readCsv(join(dir, 'problems.dry-run.csv'));
    expect(new Set(results.map((r) => r.result))).toEqual(new Set(['valid', 'invalid']));
    expect(results.filter((r) => r.result === 'valid').every((r) => r.attempts === '0' && r.track_id === '')).toBe(true);
  });

  it('--max-failures stops a run whose rows keep failing (exit 3), with the rows done in the results', async () => {
    const s = await start({ records: [] });
    const { dir, input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, ...flags, '--max-failures', '10%', '-c', '2'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain('--max-failures reached');
    const results = await readCsv(join(dir, 'usage-corrections.results.csv'));
    expect(results.length).toBeLessThan(300);
    expect(results.length).toBe(sentIds(updateRequests(s)).length);
    expect(results.every((r) => r.result === 'failed' && r.error_code === 'INVALID_ID')).toBe(true);
  });

  it('tokens that expire mid-run: one shared renewal, the refused requests sent again, no row lost', async () => {
    // The tenant's clock jumps two hours once two update requests have arrived: every token issued so
    // far has expired. Read by the simulator itself, so the jump lands mid-run whatever the machine's speed.
    let jumped = false;
    const now = (): number => {
      jumped ||= sim !== undefined && updateRequests(sim).length >= 2;
      return Date.now() + (jumped ? 7_200_000 : 0);
    };
    const s = await start({ acceptAnyId: true, latencyMs: 5, now });
    const { dir, input } = await workdir({ name: 't.csv', text: '' });
    await writeCorrections(input, 400);
    const run = await runCli([input, ...flags, '-c', '4'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    const refused = updateRequests(s).filter((r) => r.status === 401);
    expect(refused.length).toBeGreaterThan(0);
    expect(s.stats.tokensIssued).toBe(2);
    const results = await readCsv(join(dir, 't.results.csv'));
    expect(results.every((r) => r.result === 'updated')).toBe(true);
    // A refused request and its retry carry the same track id.
    for (const request of refused) expect(updateRequests(s).some((r) => r.trackId === request.trackId && r.status === 200)).toBe(true);
  });

  it('a 429 pauses the run and lowers concurrency; every row still updated, the limited requests sent again unchanged', async () => {
    const s = await start({ acceptAnyId: true, latencyMs: 20, concurrencyLimit: 2, concurrencyRetryAfterSeconds: 1 });
    const { dir, input } = await workdir({ name: 'l.csv', text: '' });
    await writeCorrections(input, transport.name === 'put' ? 200 : 600);
    const run = await runCli([input, ...flags, '-c', '6'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    expect(s.stats.concurrencyLimited).toBeGreaterThan(0);
    const all = updateRequests(s);
    for (const limited of all.filter((r) => r.status === 429)) {
      const retry = all.find((r) => r.seq > limited.seq && r.trackId === limited.trackId);
      // The limited request's body was never decoded: its size on the wire (gzip of the same text) stands for it.
      expect(retry?.rawBodyBytes).toBe(limited.rawBodyBytes);
      expect(retry?.headers['idempotency-key']).toBe(limited.headers['idempotency-key']);
    }
    expect((await readCsv(join(dir, 'l.results.csv'))).every((r) => r.result === 'updated')).toBe(true);
  }, 60_000);

  it('SIGINT lets in-flight requests finish, exits 130, and the results match what Zuora applied', async () => {
    const s = await start({ acceptAnyId: true, latencyMs: transport.name === 'put' ? 20 : 200 });
    const { dir, input } = await workdir({ name: 'i.csv', text: '' });
    await writeCorrections(input, 2000);
    const { child, stderr, exited } = startCli([input, ...flags, '-c', '4'], demoEnv(s));
    await untilUpdates(s, transport.name === 'put' ? 200 : 3);
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stderr()).toBe(130);
    expect(stderr()).toContain('--resume');
    const requests = updateRequests(s);
    expect(requests.every((r) => r.outcome === 'answered')).toBe(true);
    const results = await readCsv(join(dir, 'i.results.csv'));
    expect(new Set(results.filter((r) => r.result === 'updated').map((r) => r.Id))).toEqual(new Set(sentIds(requests)));
    expect(results.length).toBe(sentIds(requests).length);
    expect(results.length).toBeLessThan(2000);

    const resumed = await runCli([input, ...flags, '--resume'], { env: demoEnv(s) });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(sentIds(updateRequests(s)).length).toBe(2000);
  });

  it('kill -9 after a seeded number of requests, then --resume: nothing lost, no row recorded updated sent again', async () => {
    const seed = testSeed('RESUME_SEED', 20_261_128);
    const random = seededRandom(seed);
    const rows = transport.name === 'put' ? 500 : 1500;
    const requestsPerRun = transport.name === 'put' ? rows : rows / 50;
    const args = (input: string): string[] => [input, ...flags, '-c', transport.name === 'put' ? '8' : '2', '--resume'];
    let killedMidRun = 0;
    for (let trial = 0; trial < 3; trial++) {
      const s = await start({ acceptAnyId: true, latencyMs: transport.name === 'put' ? 4 : 60 });
      const { dir, input } = await workdir({ name: 'k.csv', text: '' });
      const inputRows = await writeCorrections(input, rows, (i) => usageId(trial * 10_000 + i));
      const out = join(dir, 'k.results.csv');
      const context = `seed ${seed}, trial ${trial}`;
      // Killed once a seeded number of update requests has arrived: mid-run whatever the machine's speed.
      const killAt = 1 + Math.floor(random() * requestsPerRun * 0.8);
      const { child, exited, hasExited } = startCli(args(input), demoEnv(s), { stderr: 'ignore' });
      await untilUpdates(s, killAt, hasExited);
      child.kill('SIGKILL');
      await exited;
      const before = recordedUpdatedIds(out);
      if (before.size < rows) killedMidRun++;
      const mark = s.requests.length;
      const final = await runCli(args(input), { env: demoEnv(s) });
      expect(final.code, `${context}: ${final.stderr}`).toBe(0);
      expect(sentIds(updateRequests(s, mark)).filter((id) => before.has(id)), `${context}: rows recorded updated were sent again`).toEqual([]);
      const results = await readCsv(out);
      expect(results.map((r) => Number(r.line)), context).toEqual(inputRows.map((_, i) => i + 2));
      expect(results.every((r) => r.result === 'updated'), context).toBe(true);
      for (const text of inputRows) {
        const [id, quantity] = text.split(',');
        expect(String(s.tenant.get(id!)?.Quantity), context).toBe(quantity);
      }
      await s.close();
      sim = undefined;
    }
    expect(killedMidRun, `seed ${seed}: no kill landed before the run finished`).toBeGreaterThan(0);
  }, 120_000);
});

describe('--transport actions: what only the batch transport has', () => {
  it('an RbeStatus column is refused before anything is sent (exit 1), saying to use --transport put', async () => {
    const s = await start();
    const { dir, input } = await workdir('usage-corrections-with-problems.csv');
    const run = await runCli([input, '--transport', 'actions'], { env: demoEnv(s) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--transport actions cannot update RBE Status/);
    expect(run.stderr).toContain('--transport put');
    expect(updateRequests(s)).toEqual([]);
    expect(await readdir(dir)).toEqual(['usage-corrections-with-problems.csv']);
  });

  it('--batch-size bounds the objects per call; each call has its own track id and Idempotency-Key', async () => {
    const s = await start({ acceptAnyId: true });
    const { dir, input } = await workdir({ name: 'b.csv', text: '' });
    await writeCorrections(input, 100);
    const run = await runCli([input, '--transport', 'actions', '--batch-size', '7', '--track-prefix', 'bs'], { env: demoEnv(s) });
    expect(run.code, run.stderr).toBe(0);
    const calls = updateRequests(s);
    expect(calls.every((r) => idsOf(r).length <= 7)).toBe(true);
    expect(calls.length).toBeGreaterThanOrEqual(15);
    expect(new Set(calls.map((r) => r.trackId)).size).toBe(calls.length);
    expect(new Set(calls.map((r) => r.headers['idempotency-key'])).size).toBe(calls.length);
    expect(calls.map((r) => r.trackId).sort()).toEqual(calls.map((_, i) => `bs-b${i + 1}`).sort());
    expect(calls.every((r) => r.query.rejectUnknownFields === 'true' && r.headers['content-type'] === 'application/json')).toBe(true);
    const results = await readCsv(join(dir, 'b.results.csv'));
    expect(results.every((r) => r.result === 'updated')).toBe(true);
  });

  it.each([
    [['--transport', 'actions', '--batch-size', '0'], '--batch-size must be a whole number from 1 to 50'],
    [['--transport', 'actions', '--batch-size', '51'], '--batch-size must be a whole number from 1 to 50'],
    [['--batch-size', '10'], '--batch-size applies to --transport actions only'],
  ])('%j is a bad option', async (extra, message) => {
    const { input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, '--env', 'local', ...extra]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
  });

  it('the next-step command keeps the transport', async () => {
    const s = await start({ records: [] });
    const { input } = await workdir({ name: 'n.csv', text: '' });
    await writeFile(input, `Id,Quantity\n${usageId(1)},5\n`);
    const run = await runCli([input, '--transport', 'actions', '--batch-size', '20'], { env: demoEnv(s) });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/next step: .*--transport actions --batch-size 20/);
  });
});
