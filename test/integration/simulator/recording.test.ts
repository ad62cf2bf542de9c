import { once } from 'node:events';
import { Agent } from 'node:http';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { pendingRecord, simulatorToken, withSimulator } from '../../helpers/with-simulator.js';
import { call, getUsage, putUsage } from './http-call.js';

const IDS = ['8ad08ae29085a77b0190908bfdd67ab1', '8ad08ae29085a77b0190908bfdd67ab2', '8ad08ae29085a77b0190908bfdd67ab3'];

const record = (Id: string) => pendingRecord(Id);
const records = () => IDS.map(record);

describe('request recording', () => {
  it('records each request in arrival order with what was really sent and how it was answered', async () => {
    await withSimulator({ records: records() }, async (sim) => {
      const token = await simulatorToken(sim);
      await putUsage(sim.url, token, IDS[0] as string, '{"Quantity":2.50}', {
        gzip: true,
        query: '?rejectUnknownFields=true',
        headers: { 'Zuora-Track-Id': 'run-7', 'Zuora-Entity-Ids': 'e1' },
      });
      expect(sim.requests.map((r) => [r.seq, r.method, r.path])).toEqual([
        [0, 'POST', '/oauth/token'],
        [1, 'PUT', `/v1/object/usage/${IDS[0]}`],
      ]);
      const put = sim.requests[1];
      expect(put).toMatchObject({
        query: { rejectUnknownFields: 'true' },
        body: '{"Quantity":2.50}',
        contentEncoding: 'gzip',
        usageId: IDS[0],
        trackId: 'run-7',
        status: 200,
        outcome: 'answered',
      });
      expect(put?.headers.authorization).toBe(`Bearer ${token}`);
      expect(put?.headers['zuora-entity-ids']).toBe('e1');
      expect(put?.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(put?.finishedAt).toBeGreaterThanOrEqual(put?.startedAt ?? Infinity);
      expect(sim.tenant.get(IDS[0] as string)?.Quantity).toBe('2.50');
      expect(sim.stats.received).toBe(2);
    });
  });

  it('keeps nothing in requests when recordRequests is false, but still counts', async () => {
    await withSimulator({ records: records(), recordRequests: false }, async (sim) => {
      const token = await simulatorToken(sim);
      await getUsage(sim.url, token, IDS[0] as string);
      expect(sim.requests).toEqual([]);
      expect(sim.stats.received).toBe(2);
    });
  });

  it('writes one access-log line per finished request to the logger', async () => {
    const lines: string[] = [];
    await withSimulator({ records: records(), logger: (line) => lines.push(line) }, async (sim) => {
      const token = await simulatorToken(sim);
      await getUsage(sim.url, token, IDS[0] as string, { 'Zuora-Track-Id': 't-1' });
    });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^GET /v1/object/usage/${IDS[0]} 200 [\\d.]+ms track=t-1$`));
  });
});

describe('recording faulted requests', () => {
  it('keeps the body of a request that a scripted fault answered', async () => {
    await withSimulator({ records: records(), faults: { [IDS[0] as string]: [{ kind: 'status', status: 503 }] } }, async (sim) => {
      const res = await putUsage(sim.url, await simulatorToken(sim), IDS[0] as string, '{"Quantity":2}', { gzip: true });
      expect(res.status).toBe(503);
      expect(sim.requests[1]).toMatchObject({ body: '{"Quantity":2}', status: 503 });
    });
  });
});

describe('concurrency statistics', () => {
  it('measures the most requests in flight overall and on one id', async () => {
    await withSimulator({ records: records(), latencyMs: 60 }, async (sim) => {
      const token = await simulatorToken(sim);
      await Promise.all([
        ...IDS.map((id) => getUsage(sim.url, token, id)),
        getUsage(sim.url, token, IDS[0] as string),
        putUsage(sim.url, token, IDS[0] as string, '{"Quantity":3}'),
      ]);
      expect(sim.stats.maxInFlight).toBe(5);
      expect(sim.stats.maxInFlightPerId).toBe(3);
      expect(sim.stats.inFlight).toBe(0);
    });
  });

  it('reports maxInFlightPerId 1 when same-id requests never overlap', async () => {
    await withSimulator({ records: records(), latencyMs: 20 }, async (sim) => {
      const token = await simulatorToken(sim);
      await Promise.all(
        IDS.map(async (id) => {
          await putUsage(sim.url, token, id, '{"Quantity":4}');
          await putUsage(sim.url, token, id, '{"Quantity":5}');
        }),
      );
      expect(sim.stats.maxInFlight).toBe(3);
      expect(sim.stats.maxInFlightPerId).toBe(1);
    });
  });
});

describe('connections', () => {
  it('keeps connections alive between requests', async () => {
    await withSimulator({ records: records() }, async (sim) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const token = await simulatorToken(sim);
        const headers = { Authorization: `Bearer ${token}` };
        const first = await call(sim.url, { path: `/v1/object/usage/${IDS[0]}`, headers, agent });
        const second = await call(sim.url, { path: `/v1/object/usage/${IDS[1]}`, headers, agent });
        expect(first.reusedSocket).toBe(false);
        expect(second.reusedSocket).toBe(true);
        expect(second.headers.connection).toBe('keep-alive');
      } finally {
        agent.destroy();
      }
    });
  });

  it('closes promptly with idle keep-alive sockets open, and close() twice is harmless', async () => {
    await withSimulator({ records: records() }, async (sim) => {
      const agent = new Agent({ keepAlive: true });
      const freed = once(agent, 'free') as Promise<[Socket]>;
      await call(sim.url, { path: '/nowhere', agent });
      const [idle] = await freed;
      const closedByServer = once(idle, 'close');
      // The server keeps idle sockets 65 s (keepAliveTimeout), beyond the test's time limit: close() ends them itself.
      await sim.close();
      await sim.close();
      await closedByServer;
      expect(agent.freeSockets).toEqual({});
      agent.destroy();
    });
  });

  it('listens on the port asked for, on 127.0.0.1', async () => {
    const probe = await withSimulator({ records: [] }, async (sim) => sim.port);
    await withSimulator({ records: [], port: probe }, async (sim) => {
      expect(sim.url).toBe(`http://127.0.0.1:${probe}`);
    });
  });
});
