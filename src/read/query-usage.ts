import { gzipSync } from 'node:zlib';
import type { PutContext } from '../send/put-usage.js';
import { attemptToken } from '../send/attempt-token.js';
import { afterFailedAnswer } from '../send/failed-answer.js';
import { networkErrorCode, NOT_SENT_NETWORK_CODES, retryDelay, type AttemptFailure } from '../send/retry-policy.js';
import { parseZuoraError } from '../send/zuora-errors.js';
import { buildUsageQuery, readQueryPage, type ReadRecord } from './usage-query.js';

/** What a read needs: the update path's client, tokens, throttle, retry policy and deadlines, plus the run's track prefix. */
export type ReadContext = Omit<PutContext, 'rejectUnknownFields'> & {
  /** Read calls are tracked as `<prefix>-q<n>`. */
  trackPrefix: string;
  /** Records per page (`conf.batchSize`, 1 to 2000); Zuora's default of 2000 when undefined, which 200 ids never exceed. */
  pageSize?: number;
};

/** The read call that answered for a record (or, for an id Zuora did not return, the last call of its query). */
export interface ReadCall {
  trackId: string;
  requestId?: string;
  httpStatus?: number;
}

/** The outcome of reading one group of at most 200 ids. */
export type ReadBatch =
  | {
      ok: true;
      /** Records found, by Id; an id that matches nothing is absent. */
      records: Map<string, { record: ReadRecord; call: ReadCall }>;
      /** The last call of the query (its last `queryMore` page). */
      last: ReadCall;
    }
  | {
      ok: false;
      /** The run stopped before the read could be sent: the rows have no outcome. */
      notSent?: boolean;
      call: ReadCall;
      errorCode: string;
      errorMessage: string;
      /** The credentials were refused: every later request would fail the same way. */
      credentialsRefused?: boolean;
      /** Zuora could not be reached at all. */
      unreachable?: boolean;
    };

/** A read that failed after its retries, or was never sent. */
export type ReadFailure = Extract<ReadBatch, { ok: false }>;

export interface UsageReader {
  /** Reads `fields` of up to 200 `ids` through query and queryMore. Never throws for Zuora's answers. */
  read(ids: readonly string[], fields: readonly string[]): Promise<ReadBatch>;
  /** HTTP requests sent by reads, retries included. */
  readonly requests: number;
  /** Read calls numbered so far (`q<n>`), each `queryMore` one of them. */
  readonly calls: number;
}

/**
 * Reads usage records by id in batches through `POST /v1/action/query` and `/v1/action/queryMore`,
 * with the updates' throttle, token handling, deadlines and retry policy (retry-policy.ts decides every
 * retry). Each call gets the next `Zuora-Track-Id` `<prefix>-q<n>`; its retries reuse it.
 */
export function createUsageReader(ctx: ReadContext): UsageReader {
  let calls = 0;
  let requests = 0;
  const base = ctx.baseUrl.replace(/\/+$/, '');

  const call = async (path: string, body: unknown): Promise<CallOutcome> => {
    const trackId = `${ctx.trackPrefix}-q${++calls}`;
    const text = JSON.stringify(body);
    const payload = ctx.gzip ? gzipSync(text) : Buffer.from(text);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'accept-encoding': 'gzip',
      'zuora-track-id': trackId,
      ...ctx.extraHeaders,
    };
    if (ctx.gzip) headers['content-encoding'] = 'gzip';
    let last: CallOutcome = { ok: false, call: { trackId }, errorCode: 'NOT_SENT', errorMessage: 'the read was not sent', notSent: true };
    for (let attempt = 1; ; attempt++) {
      if (!(await ctx.throttle.acquire(ctx.stopSignal))) return last;
      let outcome: AttemptOutcome;
      try {
        requests++;
        outcome = await attemptOnce(`${base}${path}`, payload, headers, trackId, ctx);
      } finally {
        ctx.throttle.release();
      }
      if ('final' in outcome) return outcome.final;
      if ('interrupted' in outcome) return last;
      last = outcome.last;
      if ('renewed' in outcome) {
        if (attempt >= ctx.policy.maxAttempts) return last;
        continue;
      }
      const delay = retryDelay(attempt, outcome.retry, ctx.policy, ctx.random, (ctx.now ?? Date.now)());
      if (delay === 'stop' || ctx.stopSignal?.aborted) return last;
      ctx.logger.debug({ trackId, attempt, failure: outcome.retry, delayMs: delay }, 'retrying a read');
      await ctx.sleep(delay, ctx.stopSignal);
      if (ctx.stopSignal?.aborted) return last;
    }
  };

  return {
    async read(ids, fields) {
      const records = new Map<string, { record: ReadRecord; call: ReadCall }>();
      const conf = ctx.pageSize === undefined ? {} : { conf: { batchSize: ctx.pageSize } };
      let answer = await call('/v1/action/query', { queryString: buildUsageQuery(fields, ids), ...conf });
      for (;;) {
        if (!answer.ok) return answer;
        for (const record of answer.page.records) records.set(record.Id as string, { record, call: answer.call });
        if (answer.page.queryLocator === undefined) return { ok: true, records, last: answer.call };
        answer = await call('/v1/action/queryMore', { queryLocator: answer.page.queryLocator, ...conf });
      }
    },
    get requests() {
      return requests;
    },
    get calls() {
      return calls;
    },
  };
}

type CallOutcome =
  | { ok: true; call: ReadCall; page: { records: ReadRecord[]; queryLocator?: string } }
  | ReadFailure;

type AttemptOutcome = { final: CallOutcome } | { retry: AttemptFailure; last: ReadFailure } | { renewed: true; last: ReadFailure } | { interrupted: true };

async function attemptOnce(url: string, payload: Buffer, headers: Record<string, string>, trackId: string, ctx: ReadContext): Promise<AttemptOutcome> {
  const got = await attemptToken(ctx.tokens, 'read');
  if ('interrupted' in got) return got;
  if ('failed' in got) return { final: { ok: false, call: { trackId }, ...got.failed } };
  const { token } = got;
  const request = ctx.client.post(url, { body: payload, headers: { ...headers, authorization: `Bearer ${token}` } });
  const settled = ctx.deadlines.watch(request, ctx.timeoutMs);
  try {
    const response = await request;
    const status = response.statusCode;
    ctx.throttle.observe(status, response.headers);
    const requestId = first(response.headers['zuora-request-id']);
    const call: ReadCall = { trackId, requestId, httpStatus: status };
    const page = status >= 200 && status < 300 ? readQueryPage(response.body) : undefined;
    if (page) {
      ctx.tokens.confirm(token);
      return { final: { ok: true, call, page } };
    }
    const parsed = parseZuoraError(status, response.body);
    const message = ctx.redactor ? ctx.redactor.redact(parsed.message) : parsed.message;
    const isSuccessWithoutRecords = status >= 200 && status < 300 && parsed.code === undefined;
    const last: ReadFailure = {
      ok: false,
      call,
      errorCode: isSuccessWithoutRecords ? 'UNEXPECTED_ANSWER' : (parsed.code ?? `HTTP_${status}`),
      errorMessage: isSuccessWithoutRecords ? `the query answer has no records: ${message}` : message,
    };
    const next = await afterFailedAnswer(status, response.headers, parsed, token, ctx);
    if (next.kind === 'refused') return { final: { ...last, credentialsRefused: true } };
    if (next.kind === 'renewed') return { renewed: true, last };
    return { retry: next.failure, last };
  } catch (error) {
    const canceled = ctx.deadlines.reasonOf(request);
    const code = canceled === 'abandoned' ? 'ABANDONED' : canceled === 'timeout' ? 'ETIMEDOUT' : networkErrorCode(error);
    const unreachable = NOT_SENT_NETWORK_CODES.has(code);
    const message =
      code === 'ETIMEDOUT'
        ? `no answer to the read within ${ctx.timeoutMs} ms`
        : unreachable
          ? `could not reach ${new URL(url).host} (${code})`
          : `the read's connection failed (${code})`;
    const last: ReadFailure = { ok: false, call: { trackId }, errorCode: code, errorMessage: message, ...(unreachable ? { unreachable } : {}) };
    if (code === 'ABANDONED') return { final: last };
    return { retry: { kind: 'network', code }, last };
  } finally {
    settled();
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
