/**
 * The answers the simulator gives, as plain data. Stages (oauth, faults, tenant) return an `Answer`;
 * only create-simulator.ts writes it to the socket, adding the headers every Zuora answer carries.
 */

export interface Answer {
  status: number;
  /** Body text; empty for none. */
  body: string;
  /** Extra response headers. `Content-Type` defaults to JSON when the body is not empty. */
  headers?: Record<string, string>;
}

/** One entry of the CRUD `Errors` envelope. */
export interface CrudError {
  Code: string;
  Message: string;
}

export function jsonAnswer(status: number, value: unknown, headers?: Record<string, string>): Answer {
  return headers === undefined
    ? { status, body: JSON.stringify(value) }
    : { status, body: JSON.stringify(value), headers };
}

/** The envelope of `/v1/object/...` business and validation failures: `{"Success":false,"Errors":[...]}`. */
export function crudErrorAnswer(status: number, errors: CrudError[]): Answer {
  return jsonAnswer(status, { Success: false, Errors: errors });
}

/**
 * Zuora's 401. `Authentication error` means the token is bad (fix credentials or refresh);
 * `Failed to get user info` is transient (retry).
 */
export function unauthorizedAnswer(
  message: 'Authentication error' | 'Failed to get user info' = 'Authentication error',
  tokenWasSent = true,
): Answer {
  const challenge = tokenWasSent
    ? 'Bearer realm="Zuora", error="invalid_token", error_description="The access token is invalid, expired or revoked"'
    : 'Bearer realm="Zuora"';
  return jsonAnswer(401, { message }, { 'WWW-Authenticate': challenge });
}

/** Answer of a path the gateway does not route (Zuora's edge answers unknown paths this way). */
export const NO_ROUTE: Answer = jsonAnswer(404, { message: 'no Route matched with those values' });

export function methodNotAllowed(allow: string): Answer {
  return jsonAnswer(405, { message: 'Method Not Allowed' }, { Allow: allow });
}

/** The SOAP fault kinds behind the Actions calls' whole-call errors. */
export type SoapFaultName = 'MalformedQueryFault' | 'InvalidQueryLocatorFault' | 'InvalidTypeFault' | 'InvalidValueFault';

/**
 * A whole-call error of the SOAP-backed Actions calls (`/v1/action/...`): the SOAP fault as JSON, HTTP 400,
 * e.g. `{"faultcode":"fns:INVALID_FIELD","faultstring":"invalid field for query: Usage.foo","detail":
 * {"MalformedQueryFault":{"FaultCode":"INVALID_FIELD","FaultMessage":"..."}}}` (as public clients record it).
 */
export function soapFaultAnswer(code: string, message: string, fault: SoapFaultName): Answer {
  return jsonAnswer(400, { faultcode: `fns:${code}`, faultstring: message, detail: { [fault]: { FaultCode: code, FaultMessage: message } } });
}

/** The whole-call 400 of an Actions request body that is not what the call takes. */
export function invalidValueFault(message: string): Answer {
  return soapFaultAnswer('INVALID_VALUE', message, 'InvalidValueFault');
}
