import { gzipSync } from 'node:zlib';
import { callZuora, type CallAnswer, type CallContext } from '../send/zuora-call.js';
import { retryDelay, type AttemptFailure } from '../send/retry-policy.js';
import { parseZuoraError } from '../send/zuora-errors.js';
import { buildUsageQuery, readQueryPage, type QueryPage, type ReadRecord } from './usage-query.js';
import { IdMap } from '../rows/id-case.js';

/** What a read needs: the updates' client, tokens, throttle, retry policy and deadlines (one call loop), plus the run's track prefix. */
export type ReadContext = CallContext & {
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
      /** Records found, by Id compared without letter case (an IdMap); an id that matches nothing is absent. */
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

/** Batched reads of usage records through `action/query`, with the run's throttle, tokens and retries. */
export interface UsageReader {
  /** Reads `fields` of up to 200 `ids` through query and queryMore. Never throws for Zuora's answers. */
  read(ids: readonly string[], fields: readonly string[]): Promise<ReadBatch>;
  /** HTTP requests sent by reads, retries included. */
  readonly requests: number;
  /** Read calls numbered so far (`q<n>`), each `queryMore` one of them. */
  readonly calls: number;
  /**
   * Runs one ZOQL query to its last page (`export`), handing each page's records on as it comes, so
   * nothing gathers here. Calls are tracked `<prefix>-<letter><n>` (`x` for the export), numbered apart
   * from the `q` reads. Resolves the pages read, or the failure of the page that failed after its retries.
   */
  queryPages(queryString: string, onPage: (records: ReadRecord[]) => Promise<void> | void, letter: string): Promise<{ ok: true; pages: number } | ReadFailure>;
}

/**
 * Reads usage records by id in batches through `POST /v1/action/query` and `/v1/action/queryMore`,
 * with the updates' throttle, token handling, deadlines and retry policy (retry-policy.ts decides every
 * retry). Each call gets the next `Zuora-Track-Id` `<prefix>-q<n>`; its retries reuse it.
 */
export function createUsageReader(ctx: ReadContext): UsageReader {
  let calls = 0;
  let requests = 0;
  // Calls of other letters than `q` (the export's `x`), each letter numbered from 1.
  const otherCalls = new Map<string, number>();
  const base = ctx.baseUrl.replace(/\/+$/, '');

  // The reader counts its own requests, for the summary's reads; the context's counter is the updates'.
  const callCtx: CallContext = {
    ...ctx,
    countRequest: () => {
      requests++;
    },
  };

  const call = async (path: string, body: unknown, letter = 'q'): Promise<CallOutcome> => {
    let n: number;
    if (letter === 'q') n = ++calls;
    else otherCalls.set(letter, (n = (otherCalls.get(letter) ?? 0) + 1));
    const trackId = `${ctx.trackPrefix}-${letter}${n}`;
    const text = JSON.stringify(body);
    const payload = ctx.gzip ? gzipSync(text) : Buffer.from(text);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'accept-encoding': 'gzip',
      'zuora-track-id': trackId,
      ...ctx.extraHeaders,
    };
    if (ctx.gzip) headers['content-encoding'] = 'gzip';
    const outcome = await callZuora({ method: 'post', url: `${base}${path}`, payload, headers, read: readQuery, logFields: { trackId }, purpose: 'read' }, callCtx);
    if (outcome.answered) return { ok: true, call: { trackId, requestId: outcome.requestId, httpStatus: outcome.httpStatus }, page: outcome.value };
    const { failure } = outcome;
    if (failure.result === 'not-sent') return { ok: false, call: { trackId }, errorCode: 'NOT_SENT', errorMessage: 'the read was not sent', notSent: true };
    return {
      ok: false,
      call: { trackId, requestId: failure.requestId, httpStatus: failure.httpStatus },
      errorCode: failure.errorCode ?? `HTTP_${failure.httpStatus ?? 0}`,
      errorMessage: failure.errorMessage ?? `HTTP ${failure.httpStatus ?? 0}`,
      ...(failure.credentialsRefused ? { credentialsRefused: true } : {}),
      ...(failure.unreachable ? { unreachable: true } : {}),
    };
  };

  /** One query and its queryMore pages; `incomplete` when the answer does not add up. */
  const readOnce = async (ids: readonly string[], fields: readonly string[]): Promise<ReadBatch | { incomplete: ReadFailure }> => {
    const records = new IdMap<{ record: ReadRecord; call: ReadCall }>();
    const conf = ctx.pageSize === undefined ? {} : { conf: { batchSize: ctx.pageSize } };
    let answer = await call('/v1/action/query', { queryString: buildUsageQuery(fields, ids), ...conf });
    let received = 0;
    for (let more = false; ; more = true) {
      if (!answer.ok) {
        // The locator of the next page expired (15 minutes) or is unknown: the pages read are not the whole answer.
        if (more && answer.errorCode === 'INVALID_QUERY_LOCATOR') return incomplete(answer.call, `Zuora no longer knows the queryLocator of the next page (${answer.errorMessage})`);
        return answer;
      }
      const { page } = answer;
      received += page.received;
      for (const record of page.records) records.set(record.Id as string, { record, call: answer.call });
      if (!page.done) {
        if (page.queryLocator === undefined) return incomplete(answer.call, 'the answer says more records follow (done false) but gives no queryLocator');
        answer = await call('/v1/action/queryMore', { queryLocator: page.queryLocator, ...conf });
        continue;
      }
      if (page.size !== undefined && received < page.size) {
        return incomplete(answer.call, `the answer counts ${page.size} records (size) but its pages held ${received}`);
      }
      return { ok: true, records, last: answer.call };
    }
  };

  return {
    /**
     * An answer that does not add up is a failed read, never "no such record": the query is sent again
     * afresh (a new call, after the retry policy's backoff) within the attempts.
     */
    async read(ids, fields) {
      for (let fresh = 1; ; fresh++) {
        const outcome = await readOnce(ids, fields);
        if (!('incomplete' in outcome)) return outcome;
        const delay = retryDelay(fresh, ANSWER_CUT_OFF, ctx.policy, ctx.random, (ctx.now ?? Date.now)());
        if (delay === 'stop' || ctx.stopSignal?.aborted) return outcome.incomplete;
        ctx.logger.debug({ trackId: outcome.incomplete.call.trackId, attempt: fresh, delayMs: delay, why: outcome.incomplete.errorMessage }, 'query answer incomplete; querying again');
        await ctx.sleep(delay, ctx.stopSignal);
        if (ctx.stopSignal?.aborted) return outcome.incomplete;
      }
    },
    async queryPages(queryString, onPage, letter) {
      const conf = ctx.pageSize === undefined ? {} : { conf: { batchSize: ctx.pageSize } };
      let answer = await call('/v1/action/query', { queryString, ...conf }, letter);
      for (let pages = 1; ; pages++) {
        if (!answer.ok) return answer;
        await onPage(answer.page.records);
        if (answer.page.queryLocator === undefined) return { ok: true, pages };
        answer = await call('/v1/action/queryMore', { queryLocator: answer.page.queryLocator, ...conf }, letter);
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

type CallOutcome = { ok: true; call: ReadCall; page: QueryPage } | ReadFailure;

/** An answer that does not add up is retried like one cut off in the middle: same backoff, same attempts. */
const ANSWER_CUT_OFF: AttemptFailure = { kind: 'network', code: 'ERR_STREAM_PREMATURE_CLOSE' };

function incomplete(call: ReadCall, why: string): { incomplete: ReadFailure } {
  return { incomplete: { ok: false, call, errorCode: 'QUERY_INCOMPLETE', errorMessage: `Zuora's query answer does not add up: ${why}` } };
}

/**
 * A query answer in the call loop's terms. A 2xx that is not a query result (a proxy's HTML page, an
 * empty body, JSON without `records`) is `unexpected`: never "no records", which would make rows
 * `not-found` or skip a backup. A 2xx carrying Zuora's error body is that error.
 */
function readQuery(status: number, body: string): CallAnswer<QueryPage> {
  if (status < 200 || status >= 300) return { error: parseZuoraError(status, body) };
  const page = readQueryPage(body);
  if (page) return { ok: page };
  const error = parseZuoraError(status, body);
  return error.code === undefined ? { unexpected: `the query answer has no records: ${error.message}` } : { error };
}
