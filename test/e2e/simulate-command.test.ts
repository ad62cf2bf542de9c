import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS } from '../../src/simulator/create-simulator.js';
import { readCsv, runCli, spawnCli, workdir } from '../helpers/cli.js';

/** Starts `zuora-usage-update simulate --port 0 ...args` and waits for its banner; returns its URL and a stop. */
async function startSimulate(args: string[] = []): Promise<{ url: string; banner: string; stop: () => Promise<void> }> {
  const server = spawnCli(['simulate', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = async (): Promise<void> => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    server.kill('SIGTERM');
    await new Promise((resolve) => server.on('exit', resolve));
  };
  try {
    const banner = await new Promise<string>((resolve, reject) => {
      let text = '';
      let errors = '';
      server.stderr!.setEncoding('utf8').on('data', (d: string) => (errors += d));
      server.on('exit', (code) => reject(new Error(`simulate exited ${code}: ${errors}`)));
      server.stdout!.setEncoding('utf8').on('data', (d: string) => {
        text += d;
        if (text.includes('Press Ctrl+C')) resolve(text);
      });
    });
    const url = /export ZUORA_BASE_URL=(\S+)/.exec(banner)?.[1] ?? '';
    return { url, banner, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

describe('zuora-usage-update simulate', () => {
  it('runs the simulator standalone, prints its URL and demo credentials, and the main job works against it', async () => {
    const server = await startSimulate();
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.banner).toContain(`ZUORA_CLIENT_ID=${DEMO_CREDENTIALS.clientId}`);
      const { dir, input } = await workdir('usage-corrections.csv');
      const run = await runCli([input], {
        env: { ZUORA_BASE_URL: server.url, ZUORA_CLIENT_ID: DEMO_CREDENTIALS.clientId, ZUORA_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret },
      });
      expect(run.code).toBe(0);
      expect((await readCsv(join(dir, 'usage-corrections.results.csv'))).every((r) => r.result === 'updated')).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('--ignore-fields and --chaos-object-rate: --transport actions re-sends "try later" objects, and --verify catches the field never stored', async () => {
    const server = await startSimulate(['--ignore-fields', 'Quantity', '--chaos-object-rate', '0.3', '--chaos-seed', '20261129']);
    try {
      const { dir, input } = await workdir('usage-corrections.csv');
      const env = { ZUORA_BASE_URL: server.url, ZUORA_CLIENT_ID: DEMO_CREDENTIALS.clientId, ZUORA_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret };
      const run = await runCli([input, '--transport', 'actions', '--verify'], { env });
      expect(run.code, run.stderr).toBe(2);
      const rows = await readCsv(join(dir, 'usage-corrections.results.csv'));
      // Rows answered "try later" went again in a later call: some took more than one.
      expect(rows.some((r) => Number(r.attempts) > 1)).toBe(true);
      expect(rows.some((r) => r.result === 'unknown')).toBe(false);
      const mismatches = rows.filter((r) => r.error_code === 'VERIFY_MISMATCH');
      expect(mismatches.length).toBeGreaterThan(0);
      expect(mismatches.every((r) => r.result === 'failed' && (r.error_message ?? '').includes('Quantity'))).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('--refuse-usage-updates call: a tenant that does not take Usage through Actions fails the rows and --max-failures 0 stops the run', async () => {
    const server = await startSimulate(['--refuse-usage-updates', 'call']);
    try {
      const { dir, input } = await workdir('usage-corrections.csv');
      const env = { ZUORA_BASE_URL: server.url, ZUORA_CLIENT_ID: DEMO_CREDENTIALS.clientId, ZUORA_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret };
      const run = await runCli([input, '--transport', 'actions', '--max-failures', '0'], { env });
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toContain('--max-failures reached');
      const rows = await readCsv(join(dir, 'usage-corrections.results.csv'));
      expect(rows.some((r) => r.result === 'updated')).toBe(false);
      expect(rows.filter((r) => r.result === 'failed').every((r) => r.error_code === 'INVALID_TYPE')).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('refuses a --refuse-usage-updates value off the list', async () => {
    const run = await runCli(['simulate', '--port', '0', '--refuse-usage-updates', 'some']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/refuse-usage-updates/);
  });
});
