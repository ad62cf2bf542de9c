/** Starts bench/simulator-process.js as a child and talks to it over its stdin and stdout. */

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SimulatorProcessStats } from './simulator-process.js';

export interface SimulatorProcess {
  url: string;
  stats(): Promise<SimulatorProcessStats>;
  close(): Promise<void>;
}

const SIMULATOR_PROCESS = fileURLToPath(new URL('./simulator-process.js', import.meta.url));

/** `options` is passed to createSimulator as is (latencyMs, rateLimit, concurrencyLimit, ...). */
export async function startSimulatorProcess(options: Record<string, unknown>): Promise<SimulatorProcess> {
  const child = spawn(process.execPath, [SIMULATOR_PROCESS, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: Array<(line: string) => void> = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`the simulator process exited (code ${code})`));
      child.once('exit', onExit);
      waiting.push((line) => {
        child.off('exit', onExit);
        resolve(line);
      });
    });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const { url } = JSON.parse(await nextLine()) as { url: string };
  return {
    url,
    async stats() {
      const line = nextLine();
      child.stdin.write('stats\n');
      return JSON.parse(await line) as SimulatorProcessStats;
    },
    async close() {
      child.stdin.end('close\n');
      await exited;
    },
  };
}
