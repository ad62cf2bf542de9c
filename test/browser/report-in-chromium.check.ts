import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli, workdir } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';
import { decodePng, inkAndColours } from './png.js';

/** Chromium's binary: `CHROMIUM` when set, else Debian's `chromium` on the PATH. */
const CHROMIUM = process.env.CHROMIUM ?? 'chromium';

/**
 * Renders a page in headless Chromium, as a person opening the file would (file://), and takes a
 * screenshot. `--enable-logging=stderr --v=0` prints every console message of the page as a
 * `:CONSOLE` line, errors and Content-Security-Policy refusals included. Nothing is fetched: the
 * flags turn off Chromium's own background requests, and the page itself loads nothing.
 */
async function render(html: string, png: string, size = '1000,1400'): Promise<{ console: string[]; stderr: string }> {
  const profile = await tempDir('zuu-chromium-');
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    '--enable-logging=stderr',
    '--v=0',
    `--window-size=${size}`,
    `--screenshot=${png}`,
    pathToFileURL(html).href,
  ];
  const stderr = await new Promise<string>((resolve, reject) => {
    const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (text += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`chromium exited ${code}:\n${text}`))));
  });
  return { console: stderr.split('\n').filter((line) => /:CONSOLE[:(]/.test(line)), stderr };
}

describe('the HTML report in headless Chromium', () => {
  it('renders the preview report of the fixture file: not blank, no console errors, nothing refused', async () => {
    const { dir, input } = await workdir('usage-corrections.csv');
    const report = join(dir, 'report.html');
    const run = await runCli([input, '--env', 'local', '--preview', '--report', report, '--log-level', 'warn']);
    expect(run.code, run.stderr).toBe(0);
    const png = join(dir, 'report.png');
    const shown = await render(report, png);
    expect(shown.console, shown.stderr).toEqual([]);
    const { ink, colours } = inkAndColours(decodePng(readFileSync(png)));
    // Text, tables and the charts: a blank or error page has almost no ink and few colours.
    expect(ink).toBeGreaterThan(0.03);
    expect(colours).toBeGreaterThan(50);
  });

  it('the check can fail: a page that runs a script or fetches logs the refusal, and a blank page has no ink', async () => {
    const dir = await tempDir('zuu-browser-');
    const bad = join(dir, 'bad.html');
    writeFileSync(
      bad,
      `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"></head><body><script>console.error("boom")</script></body></html>`,
    );
    const shown = await render(bad, join(dir, 'bad.png'), '400,300');
    expect(shown.console.join('\n')).toMatch(/Content Security Policy/);
    expect(inkAndColours(decodePng(readFileSync(join(dir, 'bad.png')))).ink).toBeLessThan(0.01);
  });
});
