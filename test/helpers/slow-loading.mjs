// Preloaded (node --import) by a test that needs the CLI to be "still loading its modules" at a known
// moment: the resolve hook of `./cli/command-line.js` writes ZUU_SLOW_MARKER, then waits ZUU_SLOW_MS.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

register('./slow-loading-hooks.mjs', pathToFileURL(import.meta.filename));
