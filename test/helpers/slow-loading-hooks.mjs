// Module hooks (run on the loader thread) for slow-loading.mjs.
import { writeFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  if (specifier.endsWith('cli/command-line.js') && process.env.ZUU_SLOW_MARKER) {
    writeFileSync(process.env.ZUU_SLOW_MARKER, 'loading');
    await new Promise((done) => setTimeout(done, Number(process.env.ZUU_SLOW_MS ?? 1500)));
  }
  return next(specifier, context);
}
