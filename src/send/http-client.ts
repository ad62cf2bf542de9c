import http from 'node:http';
import https from 'node:https';
import got, { type Got } from 'got';

/** The one HTTP client of a run: its socket pool and `User-Agent`. */
export interface HttpClientOptions {
  /** Most sockets per host; the pool never has more requests in flight than this. */
  maxSockets: number;
  /** User-Agent header sent with every request. */
  userAgent: string;
}

/**
 * One got instance with one keep-alive agent per protocol for the whole run: a TLS handshake per row
 * would cost more than the update itself. got's own retry is off: retries are decided per row by
 * retry-policy.ts, which knows Zuora's error codes and the run-wide throttle.
 */
export function createHttpClient(options: HttpClientOptions): Got {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, scheduling: 'lifo' as const };
  return got.extend({
    agent: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    decompress: true,
    responseType: 'text',
    headers: { 'user-agent': options.userAgent },
  });
}

/** Closes the keep-alive sockets so the process can exit promptly. */
export function closeHttpClient(client: Got): void {
  const agents = client.defaults.options.agent;
  for (const agent of [agents.http, agents.https]) {
    if (agent && 'destroy' in agent && typeof agent.destroy === 'function') agent.destroy();
  }
}
