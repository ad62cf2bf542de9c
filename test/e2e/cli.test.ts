import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ZUORA_ENVIRONMENTS } from '../../src/options.js';
import { createSimulator, DEMO_CREDENTIALS, TOKEN_FAULT_KEY, type Simulator } from '../../src/simulator/create-simulator.js';
import { demoEnv, readCsv, readHeader, runCli, spawnCli, workdir } from '../helpers/cli.js';
import { GUARD_EXIT_CODE } from '../helpers/loopback-guard.mjs';
import { waitFor } from '../helpers/wait-for.js';
import { putRequests } from '../helpers/received-requests.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});


describe('the clean fixture (what npm start runs)', () => {
  it('--env local: every row updated, results in input order, exit 0', async () => {
    const { dir, input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, '--env', 'local', '--summary-json', join(dir, 'summary.json'), '--log-format', 'text']);
    expect(run.code).toBe(0);
    const results = await readCsv(join(dir, 'usage-corrections.results.csv'));
    const inputRows = await readCsv(input);
    expect(results).toHaveLength(inputRows.length);
    expect(results.every((r) => r.result === 'updated')).toBe(true);
    expect(results.map((r) => r['Usage: ID'])).toEqual(inputRows.map((r) => r['Usage: ID']));
    expect(results.every((r) => r.attempts === '1' && r.http_status === '200' && /^[0-9a-f-]{36}$/.test(r.request_id ?? ''))).toBe(true);
    expect(await readCsv(join(dir, 'usage-corrections.failures.csv'))).toEqual([]);
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ status: 'completed', exitCode: 0, counts: { updated: inputRows.length } });
    expect(run.stderr).toContain(`${inputRows.length} updated`);
    expect(run.stderr).toContain('next step: Nothing left to do.');
  });

  it('against a simulator over HTTP: one gzip PUT per row with the row line in the track id', async () => {
    sim = await createSimulator();
    const { dir, input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, '--track-prefix', 'e2e', '-c', '4'], { env: demoEnv(sim) });
    expect(run.code).toBe(0);
    const results = await readCsv(join(dir, 'usage-corrections.results.csv'));
    const puts = putRequests(sim);
    expect(puts).toHaveLength(results.length);
    expect(sim.stats.maxInFlight).toBeLessThanOrEqual(4);
    expect(sim.stats.maxInFlightPerId).toBe(1);
    for (const row of results) {
      expect(row.track_id).toBe(`e2e-${row.line}`);
      const put = puts.find((p) => p.trackId === row.track_id);
      expect(put?.contentEncoding).toBe('gzip');
      expect(put?.usageId).toBe(row['Usage: ID']);
      expect(put?.requestId).toBe(row.request_id);
    }
  });
});

describe('the fixture with problems (the README walkthrough)', () => {
  it('mixed good, invalid and refused rows: exit 2, results per row, a failures file that is valid input', async () => {
    sim = await createSimulator();
    const { dir, input } = await workdir('usage-corrections-with-problems.csv');
    const run = await runCli([input, '--summary-json', join(dir, 'summary.json')], { env: demoEnv(sim) });
    expect(run.code).toBe(2);
    const results = await readCsv(join(dir, 'usage-corrections-with-problems.results.csv'));
    const byLine = Object.fromEntries(results.map((r) => [r.line, r]));
    expect(byLine['2']).toMatchObject({ result: 'updated', attempts: '1' });
    expect(byLine['4']).toMatchObject({ result: 'invalid', attempts: '0' });
    expect(byLine['4']?.error_message).toMatch(/scientific notation/);
    expect(byLine['5']?.error_message).toMatch(/thousands separator/);
    expect(byLine['6']?.error_message).toMatch(/before/);
    expect(byLine['7']?.error_message).toMatch(/not a real date/);
    expect(byLine['8']?.error_message).toMatch(/nothing to update/);
    expect(byLine['9']).toMatchObject({ result: 'failed', error_code: 'INVALID_VALUE', http_status: '400' });
    expect(byLine['10']).toMatchObject({ result: 'failed', error_code: 'INVALID_VALUE' });
    expect(byLine['11']).toMatchObject({ result: 'failed', error_code: 'INVALID_ID' });
    // Invalid rows are never sent.
    const sentIds = new Set(putRequests(sim).map((r) => r.usageId));
    for (const row of results.filter((r) => r.result === 'invalid')) expect(sentIds.has(row.Id)).toBe(false);
    const failures = await readCsv(join(dir, 'usage-corrections-with-problems.failures.csv'));
    expect(failures.map((r) => r.line)).toEqual(results.filter((r) => r.result !== 'updated').map((r) => r.line));
    const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8'));
    expect(summary.counts).toEqual({
      updated: results.filter((r) => r.result === 'updated').length,
      failed: 3,
      unknown: 0,
      invalid: results.filter((r) => r.result === 'invalid').length,
      valid: 0,
    });
    expect(run.stderr).toContain('usage-corrections-with-problems.failures.csv');

    // The failures file runs as input again: result columns are ignored, the same rows fail the same way.
    const again = await runCli([join(dir, 'usage-corrections-with-problems.failures.csv')], { env: demoEnv(sim) });
    expect(again.code).toBe(2);
    const rerun = await readCsv(join(dir, 'usage-corrections-with-problems.failures.results.csv'));
    expect(rerun.map((r) => r.result)).toEqual(failures.map((r) => r.result));
    // Read the header as written: parsed rows keep one key per column name and would hide a duplicate.
    const header = await readHeader(join(dir, 'usage-corrections-with-problems.failures.results.csv'));
    expect(header.filter((cell) => cell === 'result')).toEqual(['result']);
  });

  it('--dry-run validates everything and sends nothing', async () => {
    sim = await createSimulator();
    const { dir, input } = await workdir('usage-corrections-with-problems.csv');
    const run = await runCli([input, '--dry-run', '--base-url', sim.url, '--log-format', 'text']);
    expect(run.code).toBe(2);
    expect(sim.requests).toEqual([]);
    const results = await readCsv(join(dir, 'usage-corrections-with-problems.dry-run.csv'));
    expect(new Set(results.map((r) => r.result))).toEqual(new Set(['valid', 'invalid']));
    expect(existsSync(join(dir, 'usage-corrections-with-problems.results.csv'))).toBe(false);
    expect(results.filter((r) => r.result === 'valid').every((r) => r.attempts === '0' && r.track_id === '')).toBe(true);
    expect(run.stderr).toContain('Dry run finished: nothing was sent.');
  });

  it('--dry-run of a clean file exits 0 and needs no credentials', async () => {
    const { dir, input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, '--dry-run', '--env', 'us-sandbox']);
    expect(run.code).toBe(0);
    const results = await readCsv(join(dir, 'usage-corrections.dry-run.csv'));
    expect(results.every((r) => r.result === 'valid')).toBe(true);
  });
});

describe('runs that cannot start: exit 1, nothing sent', () => {
  it('an unknown column names it and suggests the closest known one', async () => {
    sim = await createSimulator();
    const { dir, input } = await workdir({
      name: 'typo.csv',
      text: 'Id,Quantty,UOM\n8ad0792d84226be694237b75707b8d1a,5,Each\n',
    });
    const run = await runCli([input], { env: demoEnv(sim) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Quantty');
    expect(run.stderr).toMatch(/did you mean "?Quantity"?/);
    expect(run.stderr).toContain('--ignore-unknown-columns');
    expect(putRequests(sim)).toEqual([]);
    expect(await readdir(dir)).toEqual(['typo.csv']);
  });

  it('--ignore-unknown-columns carries the column along and sends the rest', async () => {
    sim = await createSimulator();
    const { dir, input } = await workdir({
      name: 'extra.csv',
      text: 'Id,Quantity,Notes\n8ad0792d84226be694237b75707b8d1a,5,checked by Ann\n',
    });
    const run = await runCli([input, '--ignore-unknown-columns'], { env: demoEnv(sim) });
    expect(run.code).toBe(0);
    const [row] = await readCsv(join(dir, 'extra.results.csv'));
    expect(row).toMatchObject({ Notes: 'checked by Ann', result: 'updated' });
    expect(putRequests(sim)[0]?.body).toBe('{"Quantity":5}');
  });

  it('a missing Id column', async () => {
    const { input } = await workdir({ name: 'noid.csv', text: 'Quantity,UOM\n5,Each\n' });
    const run = await runCli([input, '--env', 'local']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Id/);
  });

  it('missing credentials', async () => {
    const { input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, '--env', 'us-sandbox']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ZUORA_CLIENT_ID');
  });

  it('refused client credentials are reported before any row is sent', async () => {
    sim = await createSimulator();
    const { dir, input } = await workdir('usage-corrections.csv');
    const run = await runCli([input], { env: { ...demoEnv(sim), ZUORA_CLIENT_SECRET: 'wrong' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/refused the client credentials/);
    expect(putRequests(sim)).toEqual([]);
    expect(existsSync(join(dir, 'usage-corrections.results.csv'))).toBe(false);
  });

  it('plain http:// to a host that is not loopback', async () => {
    const { input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, '--base-url', 'http://rest.zuora.com'], { env: { ZUORA_ACCESS_TOKEN: 'x' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/only allowed to loopback/);
  });

  it('an input file that does not exist', async () => {
    const run = await runCli(['no-such-file.csv', '--env', 'local']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no-such-file.csv');
  });

  it('a bad option value names the flag', async () => {
    const { input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, '--env', 'local', '-c', '0']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--concurrency must be a whole number from 1 to 256');
  });
});

describe('stopping early: exit 3', () => {
  it('a refused static token stops the run and the summary says how to resume', async () => {
    sim = await createSimulator({ staticTokens: ['good'] });
    const { dir, input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, '--base-url', sim.url, '--log-format', 'text'], { env: { ZUORA_ACCESS_TOKEN: 'bad-token' } });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/Stopped early/);
    expect(run.stderr).toContain('--resume');
    const puts = putRequests(sim).length;
    expect(puts).toBeLessThanOrEqual(8);
    const results = await readCsv(join(dir, 'usage-corrections.results.csv'));
    expect(results.length).toBe(puts);
  });

  it('--max-failures stops a run whose rows keep failing', async () => {
    sim = await createSimulator({ records: [] });
    const { input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, '--max-failures', '10%', '-c', '2'], { env: demoEnv(sim) });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('--max-failures reached');
    expect(putRequests(sim).length).toBeLessThan(40);
  });
});

describe('secrets', () => {
  it('neither the client secret nor any token appears in any output, even at trace level', async () => {
    sim = await createSimulator({ faults: {} });
    const { dir, input } = await workdir('usage-corrections-with-problems.csv');
    const run = await runCli([input, '--log-level', 'trace', '--summary-json', join(dir, 'summary.json')], { env: demoEnv(sim) });
    expect(run.code).toBe(2);
    const tokens = new Set(
      sim.requests.map((r) => String(r.headers.authorization ?? '').replace(/^Bearer /, '')).filter((t) => t !== ''),
    );
    expect(tokens.size).toBeGreaterThan(0);
    const outputs = [run.stdout, run.stderr];
    for (const file of await readdir(dir)) outputs.push(await readFile(join(dir, file), 'utf8'));
    for (const text of outputs) {
      expect(text).not.toContain(DEMO_CREDENTIALS.clientSecret);
      for (const token of tokens) expect(text).not.toContain(token);
    }
  });
});

describe('targets, files and secrets the user did not mean to touch', () => {
  it('an exported ZUORA_BASE_URL or real credentials never redirect --env local', async () => {
    const { input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, '--env', 'local'], {
      env: { ZUORA_BASE_URL: 'http://127.0.0.1:1', ZUORA_CLIENT_ID: 'real-client', ZUORA_CLIENT_SECRET: 'real-secret', ZUORA_ACCESS_TOKEN: 'real-token' },
    });
    expect(run.code, run.stderr).toBe(0);
  });

  it('--env beats ZUORA_BASE_URL', async () => {
    sim = await createSimulator();
    const { input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, '--env', 'us-sandbox', '--dry-run'], { env: { ZUORA_BASE_URL: sim.url } });
    expect(run.code).toBe(0);
    // A live run goes for the sandbox host, not the simulator. The CLI does not log the base URL it uses,
    // so the loopback guard preloaded into the child is what shows it: it stops the first connection
    // to that host (nothing leaves the machine) and names it.
    const live = await runCli([input, '--env', 'us-sandbox'], { env: { ZUORA_BASE_URL: sim.url, ZUORA_ACCESS_TOKEN: 'x' } });
    expect(live.code, live.stderr).toBe(GUARD_EXIT_CODE);
    const sandboxHost = new URL(ZUORA_ENVIRONMENTS['us-sandbox'].url).hostname;
    expect(live.stderr).toMatch(new RegExp(`loopback guard: a test tried to (resolve|connect to) "${sandboxHost.replaceAll('.', '\\.')}"`));
    expect(sim.requests).toEqual([]);
  });

  it('--out naming the input another way is refused and the input is left intact', async () => {
    const { dir, input } = await workdir('usage-corrections.csv');
    const before = await readFile(input, 'utf8');
    const run = await runCli(['usage-corrections.csv', '--env', 'local', '--out', './usage-corrections.csv'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('three different files');
    expect(await readFile(input, 'utf8')).toBe(before);
  });

  it('--resume with an --out that is not a results file refuses and leaves it unchanged', async () => {
    const { dir, input } = await workdir('usage-corrections.csv');
    const { writeFile } = await import('node:fs/promises');
    const ledger = join(dir, 'ledger.csv');
    await writeFile(ledger, 'name,amount\nann,10\nbob,20');
    const run = await runCli([input, '--env', 'local', '--resume', '--out', ledger]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('not a results file');
    expect(await readFile(ledger, 'utf8')).toBe('name,amount\nann,10\nbob,20');
  });

  it('--resume against another tenant than the one the results were recorded against is refused', async () => {
    sim = await createSimulator();
    const { input } = await workdir('usage-corrections-with-problems.csv');
    expect((await runCli([input], { env: demoEnv(sim) })).code).toBe(2);
    const other = await runCli([input, '--env', 'local', '--resume']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/were recorded against http:\/\/127\.0\.0\.1:\d+, and this run sends to local/);
  });

  it('a dry run never overwrites the results of a real run', async () => {
    const { dir, input } = await workdir('usage-corrections-with-problems.csv');
    expect((await runCli([input, '--env', 'local'])).code).toBe(2);
    const real = await readFile(join(dir, 'usage-corrections-with-problems.results.csv'), 'utf8');
    expect((await runCli([input, '--env', 'local', '--dry-run'])).code).toBe(2);
    expect(await readFile(join(dir, 'usage-corrections-with-problems.results.csv'), 'utf8')).toBe(real);
  });

  it('an unwritable --summary-json fails before anything is sent; a failed start replaces an old summary', async () => {
    sim = await createSimulator();
    const { dir, input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, '--summary-json', join(dir, 'no/such/dir/s.json')], { env: demoEnv(sim) });
    expect(run.code).toBe(1);
    expect(putRequests(sim)).toEqual([]);
    const summaryPath = join(dir, 's.json');
    expect((await runCli([input, '--env', 'local', '--summary-json', summaryPath])).code).toBe(0);
    expect((await runCli([input, '--env', 'us-sandbox', '--summary-json', summaryPath])).code).toBe(1);
    expect(JSON.parse(await readFile(summaryPath, 'utf8'))).toMatchObject({ status: 'not-started', exitCode: 1 });
  });

  it('a results file that cannot be written any more stops the run early (exit 3)', async () => {
    const { input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, '--env', 'local', '--out', '/dev/full']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('ENOSPC');
  });

  it('secrets and tokens echoed back by a server are scrubbed from results and logs', async () => {
    const token = 'static-token-0123456789';
    const id = '8ad0792d84226be694237b75707b8d1a';
    const echo = `{"Success":false,"Errors":[{"Code":"INVALID_VALUE","Message":"bad request: Authorization: Bearer ${token}"}]}`;
    sim = await createSimulator({ staticTokens: [token], faults: { [id]: [{ kind: 'status', status: 400, body: echo }] } });
    const { dir, input } = await workdir({ name: 'e.csv', text: `Id,Quantity\n${id},5\n` });
    const run = await runCli([input, '--base-url', sim.url, '--log-level', 'trace'], { env: { ZUORA_ACCESS_TOKEN: token } });
    expect(run.code).toBe(2);
    const [row] = await readCsv(join(dir, 'e.results.csv'));
    expect(row?.error_message).toBe('bad request: Authorization: Bearer [redacted]');
    for (const file of await readdir(dir)) expect(await readFile(join(dir, file), 'utf8')).not.toContain(token);
    expect(run.stderr).not.toContain(token);
  });

  it('an unreachable host: rows fail as not sent, and the run stops early instead of trying every row', async () => {
    const { dir, input } = await workdir('usage-corrections.csv');
    const run = await runCli([input, '--base-url', 'http://127.0.0.1:1', '--max-attempts', '1', '-c', '3'], { env: { ZUORA_ACCESS_TOKEN: 'x' } });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('cannot reach Zuora');
    const results = await readCsv(join(dir, 'usage-corrections.results.csv'));
    expect(results.length).toBeLessThan(10);
    expect(results.every((r) => r.result === 'failed' && r.error_code === 'ECONNREFUSED' && /not sent/.test(r.error_message ?? ''))).toBe(true);
  });

  it('SIGINT while the token endpoint is being retried exits 130 at once, without another try', async () => {
    sim = await createSimulator({ faults: { [TOKEN_FAULT_KEY]: Array.from({ length: 20 }, () => ({ kind: 'status' as const, status: 503 })) } });
    const { input } = await workdir('usage-corrections.csv');
    const child = spawnCli([input], { env: demoEnv(sim) });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const tokenRequests = () => sim!.requests.filter((r) => r.path === '/oauth/token').length;
    // Refused once and asked again: the CLI is in its retry loop, sleeping between tries.
    await waitFor(() => tokenRequests() >= 2, { timeoutMs: 20_000, what: 'a second token request' });
    const before = tokenRequests();
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    // It did not wait out its backoff: no try after the signal.
    expect(tokenRequests()).toBe(before);
  });
});
