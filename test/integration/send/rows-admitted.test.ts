import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, type RunOptions } from '../../../src/options.js';
import { connect } from '../../../src/send/connect.js';
import { withSimulator } from '../../helpers/with-simulator.js';
import { runOptions } from '../../helpers/run-options.js';

/**
 * How many rows the pool may hold is the transport's to say: a PUT a row reads 4 x -c ahead; Actions
 * calls carry 50 rows each, and 4 x -c x 50 rows living through whole round trips grew the heap of a
 * 1,000,000-row run past its memory target (BENCHMARKS.md), so Actions holds the rows in flight and two
 * calls' worth more.
 */
describe('rows the pool may hold', () => {
  const logger = pino({ level: 'silent' });
  const open = (overrides: Partial<RunOptions>) =>
    withSimulator({ acceptAnyId: true }, async (sim) => {
      const stop = new AbortController();
      const connection = await connect(runOptions('in.csv', sim, overrides), { logger, stopSignal: stop.signal, abandonSignal: stop.signal });
      try {
        return { inFlight: connection.transport.rowsInFlight, admitted: connection.transport.rowsAdmitted };
      } finally {
        await connection.close();
      }
    });

  it('put: -c rows in flight, 4 x -c held', async () => {
    expect(await open({ concurrency: 8 })).toEqual({ inFlight: 8, admitted: 32 });
  });

  it('actions: -c calls of --batch-size rows in flight, two calls more held', async () => {
    expect(await open({ concurrency: 32, transport: 'actions', batchSize: 50 })).toEqual({ inFlight: 1600, admitted: 1700 });
    expect(await open({ concurrency: DEFAULTS.concurrency, transport: 'actions', batchSize: 10 })).toEqual({ inFlight: 80, admitted: 100 });
  });
});
