import { spawn } from 'node:child_process';
import dns from 'node:dns';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { childEnv } from './cli.js';
import { GUARD_EXIT_CODE, isLoopback } from './loopback-guard.mjs';
import { takeLoopbackViolations } from './setup.js';
import { tempDir } from './temp-dir.js';

/** Runs `code` in a child Node with the test environment (guard preloaded); resolves its exit code and stderr. */
function nodeChild(code: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, stderr }));
  });
}

describe('the loopback guard', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['rest.test.zuora.com', false],
    ['10.0.0.1', false],
    ['0.0.0.0', false],
    ['128.0.0.1', false],
  ])('%s is loopback: %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });

  it('in the test process, refuses a connect to another host before it leaves, and records it', async () => {
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
      net.connect(443, 'example.invalid').on('error', resolve);
    });
    expect(error.code).toBe('ELOOPBACKGUARD');
    expect(takeLoopbackViolations()).toEqual(['loopback guard: a test tried to connect to "example.invalid"; tests may only reach 127.0.0.1']);
  });

  it('in the test process, refuses a DNS lookup of another host (callback and promise forms)', async () => {
    const viaCallback = await new Promise<NodeJS.ErrnoException | null>((resolve) => dns.lookup('example.com', (err) => resolve(err)));
    expect(viaCallback?.code).toBe('ELOOPBACKGUARD');
    await expect(dns.promises.lookup('example.com')).rejects.toMatchObject({ code: 'ELOOPBACKGUARD' });
    expect(takeLoopbackViolations()).toHaveLength(2);
  });

  it('in the test process, fetch to another host fails and is recorded', async () => {
    await expect(fetch('https://rest.test.zuora.com/oauth/token')).rejects.toThrow();
    expect(takeLoopbackViolations().some((m) => m.includes('rest.test.zuora.com'))).toBe(true);
  });

  it('lets loopback through', async () => {
    const server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve, reject) => net.connect(port, '127.0.0.1').on('close', () => resolve()).on('error', reject));
    await new Promise((resolve) => server.close(resolve));
    expect(takeLoopbackViolations()).toEqual([]);
  });

  it('in a spawned process, a connect to another host exits with the guard code and says why', async () => {
    const run = await nodeChild("import net from 'node:net'; net.connect(443, 'rest.test.zuora.com'); setTimeout(() => {}, 5000);");
    expect(run.code).toBe(GUARD_EXIT_CODE);
    expect(run.stderr).toContain('loopback guard: a test tried to connect to "rest.test.zuora.com"');
  });

  it('in a spawned process, fetch resolves nothing outside and exits with the guard code', async () => {
    const run = await nodeChild("await fetch('https://example.com/').catch(() => {}); setTimeout(() => {}, 5000);");
    expect(run.code).toBe(GUARD_EXIT_CODE);
    expect(run.stderr).toMatch(/loopback guard: a test tried to (resolve|connect to) "example\.com"/);
  });
});

describe('tempDir', () => {
  let fromLastTest: string | undefined;
  it('makes a folder', async () => {
    fromLastTest = await tempDir();
    expect(existsSync(fromLastTest)).toBe(true);
  });

  it('removed it after the test that made it', () => {
    expect(fromLastTest).toBeDefined();
    expect(existsSync(fromLastTest!)).toBe(false);
  });
});
