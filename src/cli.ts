#!/usr/bin/env -S node --max-semi-space-size=6
// The young generation is capped at 6 MB a half: at thousands of requests per second V8 would grow it
// to 32 MB for no gain in speed (BENCHMARKS.md); the Dockerfile's ENTRYPOINT passes the same flag.
import { hideBin } from 'yargs/helpers';
import { runCommandLine } from './cli/command-line.js';

// Exit explicitly: a scheduler must get the code even if a stray socket would keep the loop alive.
process.exit(await runCommandLine(hideBin(process.argv)));
