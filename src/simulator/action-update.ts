/**
 * `POST /v1/action/update` for `{"type": "Usage", "objects": [...]}`: up to 50 usage records changed in
 * one call, each object succeeding or failing on its own, with one result per object in request order.
 * Each object meets the rules of the usage PUT (tenant.ts), plus what SOAP adds: `RbeStatus` is read-only.
 */

import { type Answer, type CrudError, invalidValueFault, jsonAnswer, soapFaultAnswer } from './answers.js';
import type { ObjectFaultScript } from './faults.js';
import { jsonObject } from './http-exchange.js';
import { rawArrayItems } from './quantity.js';
import type { Tenant } from './tenant.js';

/** Most objects an update call may carry (Zuora: 50). */
export const MAX_UPDATE_OBJECTS = 50;

/** What a tenant that does not take Usage through Actions says (the `refuseUsageUpdates` knob). */
const USAGE_REFUSED = 'Usage cannot be updated through action/update in this tenant; use PUT /v1/object/usage/{id}.';

/** One entry of the answer: `{"Id","Success":true}`, or `{"Success":false,"Errors":[...]}` (no Id, as Zuora may leave it out). */
type ObjectResult = { Id: string; Success: true } | { Success: false; Errors: CrudError[] };

/** The update endpoint of one tenant. */
export class ActionUpdate {
  /**
   * @param objectChaos Draws a random failure for an object (chaos `objectRate`), or undefined for none.
   */
  constructor(
    private readonly tenant: Tenant,
    private readonly objectFaults: ObjectFaultScript,
    private readonly objectChaos: () => CrudError | undefined = () => undefined,
    private readonly refuseUsage?: 'objects' | 'call',
  ) {}

  /** `POST /v1/action/update` with the decoded body. */
  update(bodyText: string, rejectUnknownFields: boolean): Answer {
    const body = jsonObject(bodyText);
    if (typeof body === 'string') return invalidValueFault(body);
    const objects = objectsOf(body);
    if (!Array.isArray(objects)) return objects;
    if (this.refuseUsage === 'call') return soapFaultAnswer('INVALID_TYPE', USAGE_REFUSED, 'InvalidTypeFault');
    if (this.refuseUsage === 'objects') return jsonAnswer(200, objects.map(() => failure('INVALID_TYPE', USAGE_REFUSED)));
    const texts = rawArrayItems(bodyText, 'objects');
    const results = objects.map((object, i) => this.updateOne(object, texts[i] ?? '', rejectUnknownFields));
    return jsonAnswer(200, results);
  }

  private updateOne(object: unknown, objectText: string, rejectUnknownFields: boolean): ObjectResult {
    if (typeof object !== 'object' || object === null || Array.isArray(object)) {
      return failure('INVALID_VALUE', `Each object must be a JSON object with an Id, got ${JSON.stringify(object)}.`);
    }
    const { Id: id, ...fields } = object as Record<string, unknown>;
    if (typeof id !== 'string' || id === '') return failure('MISSING_REQUIRED_VALUE', 'Id is required: the Id of the usage record to update.');
    const fault = this.objectFaults.take(id) ?? this.objectChaos();
    if (fault !== undefined) return { Success: false, Errors: [fault] };
    if ('RbeStatus' in fields) {
      return failure(
        'INVALID_FIELD',
        'RbeStatus cannot be updated through action/update: the SOAP Usage object treats it as read-only. Use PUT /v1/object/usage/{id}.',
      );
    }
    if (rejectUnknownFields) {
      const unknown = this.tenant.unknownFields(fields);
      if (unknown.length > 0) return failure('INVALID_FIELD', `Error - unrecognised fields: ${unknown.join(', ')}`);
    }
    const errors = this.tenant.change(id, fields, objectText);
    return errors === undefined ? { Id: id, Success: true } : { Success: false, Errors: errors };
  }
}

/** The usage ids of an update body's objects, in order (those that have one), for the request log; empty when the body is not an update. */
export function updateIds(bodyText: string): string[] {
  const body = jsonObject(bodyText);
  if (typeof body === 'string' || !Array.isArray(body.objects)) return [];
  return body.objects
    .map((object: unknown) => (typeof object === 'object' && object !== null ? (object as Record<string, unknown>).Id : undefined))
    .filter((id): id is string => typeof id === 'string');
}

/** The objects of an update of Usage, or why the whole call is refused. */
function objectsOf(body: Record<string, unknown>): unknown[] | Answer {
  const { type, objects } = body;
  if (typeof type !== 'string' || type === '') return invalidValueFault('type is required: the object type to update, "Usage".');
  if (type.toLowerCase() !== 'usage') {
    return soapFaultAnswer('INVALID_TYPE', `The simulator updates type Usage only, not ${type}.`, 'InvalidTypeFault');
  }
  if (!Array.isArray(objects) || objects.length === 0) return invalidValueFault('objects is required: an array of 1 to 50 objects, each with an Id.');
  if (objects.length > MAX_UPDATE_OBJECTS) {
    return soapFaultAnswer(
      'MAX_RECORDS_EXCEEDED',
      `The call has ${objects.length} objects; at most ${MAX_UPDATE_OBJECTS} can be updated in one call.`,
      'InvalidValueFault',
    );
  }
  return objects;
}

function failure(code: string, message: string): ObjectResult {
  return { Success: false, Errors: [{ Code: code, Message: message }] };
}
