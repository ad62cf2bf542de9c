import { gzipSync } from 'node:zlib';
import { callZuora, type CallAnswer, type CallContext } from '../send/zuora-call.js';
import { parseZuoraError } from '../send/zuora-errors.js';
import { buildUsageQuery, readQueryPage, type QueryPage, type ReadRecord } from './usage-query.js';

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
