// Module hooks (run on the loader thread) for slow-loading.mjs.
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import { setTimeout } from 'node:timers/promises';

export async function resolve(specifier, context, next) {
  if (specifier.endsWith('cli/command-line.js') && process.env.ZUU_SLOW_MARKER) {
    writeFileSync(process.env.ZUU_SLOW_MARKER, 'loading');
    await setTimeout(Number(process.env.ZUU_SLOW_MS ?? 1500));
  }
  return next(specifier, context);
}
