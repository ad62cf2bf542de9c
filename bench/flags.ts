/** The bench's command line: `npm run bench -- [--runs N] [--only <scenario>[,...]] [--long] [--transport put|actions] [--node-flags="<flags>"] [--cpu-prof] [--rows N]`. */

import { parseArgs } from 'node:util';
import { DEFAULT_SCENARIOS, SCENARIOS, TRANSPORTS, type Scenario, type Transport } from './plan.js';

export interface BenchFlags {
  /** --runs N when given: runs per figure in every scenario. */
  runs: number | undefined;
  /** --only: the scenarios to run. Default DEFAULT_SCENARIOS. */
  only: Set<Scenario>;
  /** --long: adds the 1,000,000-row memory runs. */
  long: boolean;
  /**
   * --transport: the transports measured by the scenarios that measure both (transports, memory).
   * Default both. `--only memory --long --transport actions` runs the 1,000,000-row actions run alone.
   */
  transports: Set<Transport>;
  /** --cpu-prof: one more profiled client-bound CLI run. */
  cpuProf: boolean;
  /**
   * --node-flags: the Node flags the CLI runs with instead of its shebang's, to compare settings in
   * one run, e.g. `--node-flags="--max-semi-space-size=6"` (the flags of the previous release).
   */
  nodeFlags: string[] | undefined;
  /** --rows N: the size of the memory-limit scenario instead of 1,000,000 (a quicker look while developing). */
  rows: number | undefined;
}

export const USAGE = `usage: npm run bench -- [--runs N] [--only <scenario>[,...]] [--long] [--transport put|actions] [--node-flags="<flags>"] [--cpu-prof] [--rows N]\nscenarios: ${SCENARIOS.join(', ')}`;

/** Parses the bench's flags; throws with a message naming the flag on a bad one. */
export function parseBenchFlags(argv: string[]): BenchFlags {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string' },
      only: { type: 'string' },
      long: { type: 'boolean', default: false },
      transport: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'node-flags': { type: 'string' },
      rows: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  let runs: number | undefined;
  if (values.runs !== undefined) {
    runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1; got "${values.runs}"`);
  }
  let only = new Set(DEFAULT_SCENARIOS);
  if (values.only !== undefined) {
    const names = values.only.split(',').map((name) => name.trim());
    const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
    if (unknown.length > 0) throw new Error(`--only: unknown scenario "${unknown.join(', ')}"; expected ${SCENARIOS.join(', ')}`);
    only = new Set(names as Scenario[]);
  }
  let transports = new Set<Transport>(TRANSPORTS);
  if (values.transport !== undefined) {
    if (!(TRANSPORTS as readonly string[]).includes(values.transport)) throw new Error(`--transport: expected ${TRANSPORTS.join(' or ')}; got "${values.transport}"`);
    transports = new Set([values.transport as Transport]);
  }
  let nodeFlags: string[] | undefined;
  if (values['node-flags'] !== undefined) {
    nodeFlags = values['node-flags'].split(/\s+/).filter(Boolean);
    const notFlags = nodeFlags.filter((flag) => !flag.startsWith('--'));
    if (notFlags.length > 0) throw new Error(`--node-flags: expected Node flags starting with --; got "${notFlags.join(' ')}"`);
  }
  let rows: number | undefined;
  if (values.rows !== undefined) {
    rows = Number(values.rows);
    if (!Number.isInteger(rows) || rows < 1) throw new Error(`--rows must be a whole number of at least 1; got "${values.rows}"`);
  }
  return { rows, runs, only, long: values.long, transports, cpuProf: values['cpu-prof'], nodeFlags };
}
