/**
 * The simulator's HTTP I/O: reading a request body (gzip included) and writing an `Answer` with the
 * headers every Zuora answer carries (`Zuora-Request-Id`, the `Zuora-Track-Id` echo, gzip over 1000 bytes).
 */

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type Answer, jsonAnswer } from './answers.js';
import type { ReceivedRequest } from './request-log.js';

/** Zuora gzips answers over this many bytes when the client accepts gzip. */
export const GZIP_THRESHOLD_BYTES = 1000;

/** Request bodies above this are refused with 413 (a usage PUT body is well under 1 KB, an update of 50 objects a few KB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Writes `answer` unless the socket is gone or an answer was already sent, and marks the entry answered.
 * `extraHeaders` (the limits' headers) go under the answer's own headers.
 */
export function writeAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  entry: ReceivedRequest,
  answer: Answer,
  extraHeaders?: Record<string, string>,
): boolean {
  if (res.destroyed || res.headersSent) return false;
  const requestId = randomUUID();
  const headers: Record<string, string> = { 'Zuora-Request-Id': requestId };
  if (entry.trackId !== undefined) headers['Zuora-Track-Id'] = entry.trackId;
  let body: string | Buffer = answer.body;
  if (body !== '') headers['Content-Type'] = 'application/json; charset=utf-8';
  if (extraHeaders !== undefined) Object.assign(headers, extraHeaders);
  Object.assign(headers, answer.headers);
  if (body.length > GZIP_THRESHOLD_BYTES / 4 && Buffer.byteLength(body) > GZIP_THRESHOLD_BYTES && acceptsGzip(req)) {
    body = gzipSync(body);
    headers['Content-Encoding'] = 'gzip';
    headers['Vary'] = 'Accept-Encoding';
  }
  headers['Content-Length'] = String(Buffer.byteLength(body));
  res.writeHead(answer.status, headers);
  res.end(body);
  entry.status = answer.status;
  entry.requestId = requestId;
  entry.outcome = 'answered';
  return true;
}

/** Destroys the socket without answering (the client sees a connection reset). */
export function dropConnection(req: IncomingMessage, entry: ReceivedRequest): void {
  entry.outcome = 'dropped';
  req.socket.destroy();
}

/** The body and its size (body undefined past MAX_BODY_BYTES), or undefined when the client went away first. */
export function readBody(req: IncomingMessage): Promise<{ body?: Buffer; size: number } | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.once('end', () => {
      done = true;
      if (size > MAX_BODY_BYTES) resolve({ size });
      else resolve({ body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size), size });
    });
    req.once('close', () => {
      if (!done) resolve(undefined);
    });
    req.once('error', () => resolve(undefined));
  });
}

/** The body text, gunzipped when the request says so (kept in `entry.body`); a 400/415 answer when it cannot be decoded. */
export function decodeBody(raw: Buffer, entry: ReceivedRequest): string | Answer {
  const encoding = entry.contentEncoding?.trim().toLowerCase();
  if (encoding === undefined || encoding === '' || encoding === 'identity') {
    entry.body = raw.toString('utf8');
    return entry.body;
  }
  if (encoding !== 'gzip') return jsonAnswer(415, { message: `Unsupported Content-Encoding: ${encoding} (use gzip)` });
  try {
    entry.body = gunzipSync(raw, { maxOutputLength: MAX_BODY_BYTES }).toString('utf8');
    return entry.body;
  } catch {
    return jsonAnswer(400, { message: 'Error - the request body is not valid gzip data' });
  }
}

/** The body as a JSON object, or the message saying why it is not one. */
export function jsonObject(bodyText: string): Record<string, unknown> | string {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch (error) {
    return `Malformed JSON request body: ${(error as Error).message}`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'The request body must be a JSON object.';
  return body as Record<string, unknown>;
}

function acceptsGzip(req: IncomingMessage): boolean {
  const accept = req.headers['accept-encoding'];
  if (accept === undefined) return false;
  return accept.split(',').some((part) => {
    const [coding = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const refused = params.some((p) => /^q=0(?:\.0*)?$/.test(p));
    return (coding === 'gzip' || coding === '*') && !refused;
  });
}
