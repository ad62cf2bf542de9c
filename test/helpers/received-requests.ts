import type { ReceivedRequest, Simulator } from '../../src/simulator/create-simulator.js';

/** The usage PUTs (one row each) a simulator received, in arrival order, from request number `from` on. */
export function putRequests(sim: Pick<Simulator, 'requests'>, from = 0): ReceivedRequest[] {
  return sim.requests.slice(from).filter((r) => r.method === 'PUT');
}

/** The update requests of either transport (usage PUTs and Actions update calls) a simulator received, from request number `from` on. */
export function updateRequests(sim: Pick<Simulator, 'requests'>, from = 0): ReceivedRequest[] {
  return sim.requests.slice(from).filter((r) => r.method === 'PUT' || r.path === '/v1/action/update');
}
