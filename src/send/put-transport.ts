import { putUsage } from './put-usage.js';
import type { Transport } from './transport.js';
import type { CallContext } from './zuora-call.js';

/**
 * `--transport put`: one `PUT /v1/object/usage/{id}` a row (put-usage.ts). `concurrency` rows in
 * flight, and 4 x as many held, so the next rows are ready when a slot frees.
 */
export function createPutTransport(ctx: CallContext, options: { concurrency: number }): Transport {
  return {
    send: (item) => putUsage(item.update, ctx),
    rowsInFlight: options.concurrency,
    rowsAdmitted: 4 * options.concurrency,
    // Every row leaves on its own: nothing waits for more rows.
    inputEnded: () => {},
  };
}
