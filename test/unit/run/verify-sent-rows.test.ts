import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ReadBatch } from '../../../src/read/query-usage.js';
import { createRunState } from '../../../src/run/run-state.js';
import type { SendStage } from '../../../src/run/send-rows.js';
import { createStopPolicy } from '../../../src/run/stop-policy.js';
import { VERIFY_MAX_WAITING, verifySentRows } from '../../../src/run/verify-sent-rows.js';
import { createRoom } from '../../../src/send/room.js';
import type { SendItem } from '../../../src/send/transport.js';
import { eventLoopTurns } from '../../helpers/wait-for.js';

describe('verifySentRows: room for the sender', () => {
  it('has no room while VERIFY_MAX_WAITING rows wait for their read-back, and room() resolves as the reads come back', async () => {
    const reads: Array<{ ids: string[]; answer: (batch: ReadBatch) => void }> = [];
    const settled: number[] = [];
    const inner: SendStage = {
      transport: { send: async () => ({ result: 'updated', attempts: 1 }), rowsInFlight: 4, rowsAdmitted: 16, inputEnded: () => {} },
      settle: (item) => settled.push(item.seq),
      room: createRoom(() => true),
    };
    const state = createRunState({ graceMs: 0, logger: pino({ enabled: false }) });
    const read = (ids: string[]): Promise<ReadBatch> => new Promise((answer) => reads.push({ ids, answer }));
    const verified = verifySentRows(inner, read, state, createStopPolicy({ concurrency: 4 }));
    const item = (seq: number): SendItem => ({ seq, line: seq + 2, cells: [], update: { id: `id-${seq}`, fields: {}, trackId: `t-${seq}` } });

    for (let seq = 0; seq < VERIFY_MAX_WAITING; seq++) verified.settle(item(seq), { result: 'updated', attempts: 1 });
    expect(verified.room.hasRoom()).toBe(false);
    let resolved = false;
    const room = verified.room.room().then(() => (resolved = true));
    await eventLoopTurns(3);
    expect(resolved).toBe(false);

    const first = reads[0]!;
    first.answer({ ok: true, last: { trackId: 'q1' }, records: new Map() });
    await room;
    expect(settled).toHaveLength(first.ids.length);
    expect(verified.room.hasRoom()).toBe(true);
    for (const { answer } of reads.slice(1)) answer({ ok: true, last: { trackId: 'q' }, records: new Map() });
    await verified.close();
    state.dispose();
  });
});
