/**
 * A bare node:http client for the simulator tests: exact control of headers and body bytes (fetch would
 * add Accept-Encoding and decompress silently), and the raw answer back.
 */

import { request, type Agent, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';

export interface CallOptions {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Give up (and destroy the socket) after this many ms. */
  timeoutMs?: number;
  /** Give up (and destroy the socket) when this aborts. */
  signal?: AbortSignal;
  agent?: Agent;
}

export interface CallResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** Body bytes as received (still gzipped when Content-Encoding says so). */
  rawBody: Buffer;
  /** Body text, gunzipped when needed. */
  text: string;
  /** Whether the connection was a reused keep-alive socket. */
  reusedSocket: boolean;
}

export function call(baseUrl: string, options: CallOptions): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${options.path}`, {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: options.agent ?? false,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (options.timeoutMs !== undefined) {
      req.setTimeout(options.timeoutMs, () => req.destroy(new Error('client timeout')));
    }
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        const text = res.headers['content-encoding'] === 'gzip' ? gunzipSync(rawBody).toString('utf8') : rawBody.toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawBody, text, reusedSocket: req.reusedSocket });
      });
    });
    req.end(options.body);
  });
}

/** Headers of a usage call as the updater sends them. */
export function usageHeaders(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...extra };
}

/** PUT a JSON body (text as given, so tests control the exact digits) to a usage id. */
export function putUsage(
  baseUrl: string,
  token: string,
  id: string,
  body: string,
  options: SendOptions = {},
): Promise<CallResult> {
  return send(baseUrl, token, 'PUT', `/v1/object/usage/${id}`, body, options);
}

export function getUsage(baseUrl: string, token: string, id: string, headers: Record<string, string> = {}): Promise<CallResult> {
  return call(baseUrl, { path: `/v1/object/usage/${id}`, headers: { Authorization: `Bearer ${token}`, ...headers } });
}

export function json<T = Record<string, unknown>>(result: CallResult): T {
  return JSON.parse(result.text) as T;
}

/** POST a JSON body (text as given) to an Actions path such as `/v1/action/query`. */
export function postAction(
  baseUrl: string,
  token: string,
  path: string,
  body: string,
  options: SendOptions = {},
): Promise<CallResult> {
  return send(baseUrl, token, 'POST', path, body, options);
}

interface SendOptions {
  gzip?: boolean;
  query?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

function send(baseUrl: string, token: string, method: string, path: string, body: string, options: SendOptions): Promise<CallResult> {
  const headers = usageHeaders(token, options.headers);
  if (options.gzip) headers['Content-Encoding'] = 'gzip';
  const call_: CallOptions = { method, path: `${path}${options.query ?? ''}`, headers, body: options.gzip ? gzipSync(body) : body };
  if (options.timeoutMs !== undefined) call_.timeoutMs = options.timeoutMs;
  if (options.signal !== undefined) call_.signal = options.signal;
  return call(baseUrl, call_);
}

/** The ZOQL this tool sends: `select <fields> from Usage where Id = '...' or ...`. */
export function usageQuery(fields: string[], ids: string[]): string {
  return `select ${fields.join(', ')} from Usage where ${ids.map((id) => `Id = '${id}'`).join(' or ')}`;
}
