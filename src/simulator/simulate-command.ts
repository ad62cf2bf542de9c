import { shellQuote } from '../output/shell-quote.js';
import { createSimulator, DEMO_CREDENTIALS, type Simulator } from './create-simulator.js';

/** The flags of `zuora-usage-update simulate`, as yargs gives them. */
export interface SimulateArgs {
  port: number;
  tokenLifetime?: number;
  latency?: number;
  timeZone?: string;
  rateLimitPerSecond?: number;
  rateLimitPerMinute?: number;
  concurrencyLimit?: number;
  chaosRate?: number;
  chaosSeed?: number;
  /** Share of Actions update objects answered "try later" one by one (chaos `objectRate`). */
  chaosObjectRate?: number;
  /** A tenant that does not take Usage through Actions: every object refused, or the whole call. */
  refuseUsageUpdates?: 'objects' | 'call';
  /** Fields updates acknowledge but never store (for trying `--verify`). */
  ignoreFields?: string[];
  /** The first PUT of each usage id is held and applied this many ms later (for trying `--settle`). */
  holdFirstUpdate?: number;
  acceptAnyId: boolean;
}

export interface SimulateIo {
  /** Where the address and the demo client go (stdout: a person copies them). */
  stdout: NodeJS.WritableStream;
  /** Where a failure to start goes. */
  stderr: NodeJS.WritableStream;
  /** Settles when the simulator should stop (SIGINT/SIGTERM at the CLI edge). */
  stopped: Promise<void>;
}

/**
 * `simulate`: runs the built-in simulator on a loopback port until `stopped`, after printing how to
 * point the CLI at it. Resolves false when it could not start (port taken, bad option).
 */
export async function simulateCommand(args: SimulateArgs, io: SimulateIo): Promise<boolean> {
  const rateLimit =
    args.rateLimitPerSecond !== undefined || args.rateLimitPerMinute !== undefined
      ? { perSecond: args.rateLimitPerSecond, perMinute: args.rateLimitPerMinute }
      : undefined;
  let simulator: Simulator;
  try {
    simulator = await createSimulator({
      port: args.port,
      tokenLifetimeSeconds: args.tokenLifetime,
      latencyMs: args.latency,
      tenantTimeZone: args.timeZone,
      rateLimit,
      concurrencyLimit: args.concurrencyLimit,
      chaos:
        args.chaosRate === undefined && args.chaosObjectRate === undefined
          ? undefined
          : { rate: args.chaosRate ?? 0, seed: args.chaosSeed, objectRate: args.chaosObjectRate },
      refuseUsageUpdates: args.refuseUsageUpdates,
      ignoreFields: args.ignoreFields,
      holdFirstUpdateMs: args.holdFirstUpdate,
      acceptAnyId: args.acceptAnyId,
      recordRequests: false,
    });
  } catch (error) {
    io.stderr.write(`zuora-usage-update simulate: ${error instanceof Error ? error.message : String(error)}\n`);
    return false;
  }
  io.stdout.write(
    [
      `Zuora simulator listening on ${simulator.url}${simulator.chaosSeed === undefined ? '' : ` (chaos seed ${simulator.chaosSeed})`}`,
      `Demo OAuth client (public, for the simulator only):`,
      `  export ZUORA_BASE_URL=${simulator.url}`,
      `  export ZUORA_CLIENT_ID=${DEMO_CREDENTIALS.clientId}`,
      `  export ZUORA_CLIENT_SECRET=${shellQuote(DEMO_CREDENTIALS.clientSecret)}`,
      `Press Ctrl+C to stop.`,
      '',
    ].join('\n'),
  );
  await io.stopped;
  await simulator.close();
  return true;
}
