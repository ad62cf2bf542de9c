/**
 * Reading Zuora's error bodies. CRUD calls (`/v1/object/...`) answer with their own envelope, other
 * endpoints and gateways with others; ZUORA-API-NOTES.md lists them all and the order to try them in.
 */

export interface ZuoraError {
  /** Zuora's error code (`INVALID_VALUE`, `LOCK_COMPETITION`, `70`, `invalid_client`, ...), when the body has one. */
  code?: string;
  /** A one-line human message, at most MAX_MESSAGE_LENGTH characters. */
  message: string;
}

/** Error text kept from a body that is not JSON (an HTML gateway page, say): enough to recognise it. */
export const MAX_MESSAGE_LENGTH = 500;

/** The answer to a usage PUT, as far as the outcome is concerned. */
export interface PutAnswer {
  success: boolean;
  error?: ZuoraError;
  /**
   * A 2xx that is not Zuora's success body (an HTML page or an empty body from a proxy, a wrong base
   * URL, another record's Id): nobody can tell whether the update was applied.
   */
  unexpected?: string;
}

/** How much of an unexpected body the message keeps: enough to recognise a proxy page or a wrong URL. */
export const UNEXPECTED_BODY_START = 200;

/**
 * Classifies a usage PUT answer. Only a 2xx with Zuora's JSON `"Success": true` (and, when it names
 * one, the Id that was sent) is a success. `Success:false` is a failure whatever the HTTP status (some
 * tenants answer it with 200); any other 2xx is `unexpected`.
 */
export function readPutAnswer(status: number, bodyText: string, id?: string): PutAnswer {
  const json = parseJson(bodyText);
  const is2xx = status >= 200 && status < 300;
  if (isObject(json) && json.Success === false) return { success: false, error: parseZuoraError(status, bodyText, json) };
  if (!is2xx) return { success: false, error: parseZuoraError(status, bodyText, json) };
  if (!isObject(json) || json.Success !== true) {
    return { success: false, unexpected: `HTTP ${status} without Zuora's success body ({"Success": true}); the body starts: ${bodyStart(bodyText)}` };
  }
  if (id !== undefined && typeof json.Id === 'string' && json.Id.toLowerCase() !== id.toLowerCase()) {
    return { success: false, unexpected: `HTTP ${status} reports success for another record (Id ${truncate(json.Id)}), not ${id}` };
  }
  return { success: true };
}

/** The start of an answer body on one line, for a message about an answer that is not Zuora's. */
export function bodyStart(bodyText: string): string {
  const oneLine = bodyText.replace(/\s+/g, ' ').trim();
  if (oneLine === '') return '(empty)';
  return oneLine.length > UNEXPECTED_BODY_START ? `${oneLine.slice(0, UNEXPECTED_BODY_START)}…` : oneLine;
}

/**
 * Extracts code and message from any error body Zuora or its gateways send. Tries, in order: the CRUD
 * `Errors[]` envelope, v1 `reasons[]`, a SOAP fault (Actions calls), `{code, message}`, `{message}`, OAuth `{error, error_description}`,
 * then the raw text (tags stripped, truncated). Never throws.
 */
export function parseZuoraError(status: number, bodyText: string, parsed: unknown = parseJson(bodyText)): ZuoraError {
  if (isObject(parsed)) {
    // Zuora's "no data" answer to a GET or PUT on an id it does not have.
    if (status === 404 && Array.isArray(parsed.records) && parsed.size === 0) {
      return { code: 'NOT_FOUND', message: 'Zuora has no usage record with this Id (HTTP 404)' };
    }
    const errors = parsed.Errors ?? parsed.errors;
    if (Array.isArray(errors) && errors.length > 0) {
      return joinErrors(errors.map((e) => fromEntry(e, 'Code', 'Message')));
    }
    if (Array.isArray(parsed.reasons) && parsed.reasons.length > 0) {
      return joinErrors(parsed.reasons.map((e) => fromEntry(e, 'code', 'message')));
    }
    // SOAP-backed Actions calls (query, queryMore, update) fail with a SOAP fault: `fns:INVALID_FIELD`.
    if (typeof parsed.faultstring === 'string') {
      const faultCode = typeof parsed.faultcode === 'string' ? parsed.faultcode.replace(/^[A-Za-z]+:/, '') : undefined;
      return withCode(faultCode, parsed.faultstring);
    }
    const message = firstString(parsed.message, parsed.Message);
    const code = firstScalar(parsed.code, parsed.Code);
    if (message !== undefined) return withCode(code, message);
    if (parsed.error !== undefined) {
      const errorText = typeof parsed.error === 'string' ? parsed.error : JSON.stringify(parsed.error);
      const description = firstString(parsed.error_description);
      return typeof parsed.error === 'string'
        ? withCode(parsed.error, description ?? errorText)
        : { message: truncate(description ?? errorText) };
    }
  }
  const text = bodyText
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { message: text === '' ? `HTTP ${status} with an empty body` : truncate(text) };
}

function fromEntry(entry: unknown, codeKey: string, messageKey: string): ZuoraError {
  if (!isObject(entry)) return { message: truncate(String(entry)) };
  const code = firstScalar(entry[codeKey], entry[codeKey.toLowerCase()], entry[capitalize(codeKey)]);
  const message =
    firstString(entry[messageKey], entry[messageKey.toLowerCase()], entry[capitalize(messageKey)]) ?? '';
  return withCode(code, message);
}

/** Several errors in one body: the first code (it decides retries), every message. */
function joinErrors(errors: ZuoraError[]): ZuoraError {
  const [first] = errors;
  const message = truncate(errors.map((e) => e.message).filter((m) => m !== '').join('; '));
  return first?.code === undefined ? { message } : { code: first.code, message };
}

function withCode(code: string | undefined, message: string): ZuoraError {
  return code === undefined ? { message: truncate(message) } : { code, message: truncate(message) };
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string') return value;
  return undefined;
}

function firstScalar(...values: unknown[]): string | undefined {
  for (const value of values) {
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function truncate(text: string): string {
  const oneLine = text.replace(/[\r\n]+/g, ' ').trim();
  return oneLine.length > MAX_MESSAGE_LENGTH ? `${oneLine.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : oneLine;
}

/** The JSON value of a body, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Whether a parsed JSON value is an object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
