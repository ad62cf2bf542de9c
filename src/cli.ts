#!/usr/bin/env -S node --max-semi-space-size=6 --heap-growing-percent=100
// Memory flags: the young generation is capped at 6 MB a half, which V8 would grow to 32 MB for no
// gain in speed; and the old generation is collected once it doubles, not once it quadruples, since
// most of what got promotes there is dead within a request (BENCHMARKS.md, "Node flags", has the
// measurements). The Dockerfile's ENTRYPOINT and `npm start` pass the same flags.
import { holdEarlySignals } from './cli/early-signals.js';

// Before the modules load: a Ctrl-C while they do must still end the run with its summary JSON.
holdEarlySignals();
const { hideBin } = await import('yargs/helpers');
const { runCommandLine } = await import('./cli/command-line.js');

// Exit explicitly: a scheduler must get the code even if a stray socket would keep the loop alive.
process.exit(await runCommandLine(hideBin(process.argv)));
