/**
 * The peer baseline: the same PUTs sent the way people script them today, one curl per row under
 * `xargs -P <n>` (a new process and a new connection per row; plain JSON, since curl cannot gzip a
 * request body by itself).
 */

import { execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { DEMO_CREDENTIALS } from '../src/simulator/create-simulator.js';
import { benchBody, benchRow } from './corrections-file.js';

export interface CurlRun {
  wallMs: number;
  /** PUTs answered 200. */
  ok: number;
}

const PUT_SCRIPT =
  'curl -sS -o /dev/null -w "%{http_code}\\n" -X PUT "$ZBASE/v1/object/usage/$1?rejectUnknownFields=true" ' +
  '-H "Authorization: Bearer $ZTOKEN" -H "Content-Type: application/json" -H "Zuora-Track-Id: curl-$1" --data-binary "$2"';

/** Whether curl and xargs are on the PATH. */
export function curlAvailable(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v curl && command -v xargs'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Writes the xargs input: `<id> '<json body>'` per row (xargs strips the single quotes). */
export async function writeCurlArgs(path: string, rows: number): Promise<void> {
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    const row = benchRow(i);
    lines.push(`${row.id} '${benchBody(row)}'`);
  }
  await writeFile(path, `${lines.join('\n')}\n`);
}

export async function fetchToken(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: DEMO_CREDENTIALS.clientId, client_secret: DEMO_CREDENTIALS.clientSecret, grant_type: 'client_credentials' }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

export async function runCurlPeer(baseUrl: string, token: string, argsPath: string, parallel: number): Promise<CurlRun> {
  const started = performance.now();
  const child = spawn('sh', ['-c', `xargs -P ${parallel} -n 2 sh -c '${PUT_SCRIPT}' put < "${argsPath}"`], {
    env: { ...process.env, ZBASE: baseUrl, ZTOKEN: token },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let ok = 0;
  let rest = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim() === '200') ok++;
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', () => resolve());
  });
  return { wallMs: performance.now() - started, ok };
}
