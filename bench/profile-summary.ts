/**
 * Top self-time functions of a V8 CPU profile (`node --cpu-prof`, or `npm run bench -- --cpu-prof`):
 *   node dist/bench/profile-summary.js <file.cpuprofile> [top=25]
 * Prints self time per function and per source (this project's files, each dependency, Node internals),
 * so a CPU-per-row figure can be traced to the code that spends it.
 */

import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives: `src/...` and `bench/...` of this project, a package name, or a Node built-in. */
function sourceOf(url: string): string {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1] !== undefined) return pkg[1];
  const own = /\/dist\/((?:src|bench)\/.*)$/.exec(url);
  return own?.[1] ?? url;
}

export function summarizeProfile(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const bySource = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const source = sourceOf(frame.url);
    const name = `${frame.functionName || '(anonymous)'}  ${source}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    bySource.set(source, (bySource.get(source) ?? 0) + us);
  }
  const lines = (map: Map<string, number>, count: number): string[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => `${(us / 1000).toFixed(0).padStart(8)} ms ${((us * 100) / total).toFixed(1).padStart(5)}%  ${name}`);
  return [
    `sampled ${(total / 1000).toFixed(0)} ms`,
    '',
    'self time by function:',
    ...lines(byFunction, top),
    '',
    'self time by source:',
    ...lines(bySource, top),
  ].join('\n');
}

const [path, topText = '25'] = process.argv.slice(2);
if (path === undefined) {
  process.stderr.write('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top]\n');
  process.exit(1);
}
process.stdout.write(`${summarizeProfile(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, Number(topText))}\n`);
