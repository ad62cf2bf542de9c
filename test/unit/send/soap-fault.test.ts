import { expect, it } from 'vitest';
import { parseZuoraError } from '../../../src/send/zuora-errors.js';

it('reads the SOAP fault of an Actions call: the code without its namespace, and the fault string', () => {
  const body = JSON.stringify({
    faultcode: 'fns:INVALID_FIELD',
    faultstring: 'invalid field for query: Usage.mystery__c',
    detail: { MalformedQueryFault: { FaultCode: 'INVALID_FIELD', FaultMessage: 'invalid field for query: Usage.mystery__c' } },
  });
  expect(parseZuoraError(400, body)).toEqual({ code: 'INVALID_FIELD', message: 'invalid field for query: Usage.mystery__c' });
});
