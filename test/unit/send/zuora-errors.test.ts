import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_LENGTH, parseZuoraError, readPutAnswer } from '../../../src/send/zuora-errors.js';

describe('parseZuoraError: every body shape in ZUORA-API-NOTES.md', () => {
  it.each([
    [
      'CRUD Errors envelope',
      400,
      '{"Success":false,"Errors":[{"Code":"INVALID_VALUE","Message":"The quantity is invalid."}]}',
      { code: 'INVALID_VALUE', message: 'The quantity is invalid.' },
    ],
    [
      'CRUD envelope with several errors keeps the first code and every message',
      400,
      '{"Success":false,"Errors":[{"Code":"INVALID_VALUE","Message":"a"},{"Code":"INVALID_FIELD","Message":"b"}]}',
      { code: 'INVALID_VALUE', message: 'a; b' },
    ],
    [
      'v1 reasons (rate limit)',
      429,
      '{"success":false,"reasons":[{"code":70,"message":"API Rate limit exceeded"}]}',
      { code: '70', message: 'API Rate limit exceeded' },
    ],
    [
      'code and message (concurrency limit)',
      429,
      '{"code":"REQUEST_EXCEEDED_LIMIT","message":"Your total number of concurrent requests have exceeded the limit"}',
      { code: 'REQUEST_EXCEEDED_LIMIT', message: 'Your total number of concurrent requests have exceeded the limit' },
    ],
    ['403 numeric code', 403, '{"code":50000040,"message":"Forbidden"}', { code: '50000040', message: 'Forbidden' }],
    ['message only (unknown fields)', 400, '{"message": "Error - unrecognised fields"}', { message: 'Error - unrecognised fields' }],
    ['401 authentication', 401, '{"message":"Authentication error"}', { message: 'Authentication error' }],
    [
      'OAuth error',
      401,
      '{"error":"invalid_client","error_description":"Bad client credentials"}',
      { code: 'invalid_client', message: 'Bad client credentials' },
    ],
    ['HTML gateway page', 502, '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>', { message: '502 Bad Gateway Bad Gateway' }],
    ['empty body', 503, '', { message: 'HTTP 503 with an empty body' }],
    ['404 no data', 404, '{"size":0,"records":[],"done":true}', { code: 'NOT_FOUND', message: 'Zuora has no usage record with this Id (HTTP 404)' }],
  ])('%s', (_name, status, body, expected) => {
    expect(parseZuoraError(status, body)).toEqual(expected);
  });

  it('truncates a huge text body', () => {
    const parsed = parseZuoraError(500, 'x'.repeat(10_000));
    expect(parsed.message.length).toBe(MAX_MESSAGE_LENGTH);
  });
});

describe('readPutAnswer', () => {
  it('success', () => {
    expect(readPutAnswer(200, '{"Id":"8ad08ae29085a77b0190908bfdd67abb","Success":true}')).toEqual({ success: true });
  });
  it('Success:false with HTTP 200 is a failure', () => {
    expect(readPutAnswer(200, '{"Success":false,"Errors":[{"Code":"LOCK_COMPETITION","Message":"locked"}]}')).toEqual({
      success: false,
      error: { code: 'LOCK_COMPETITION', message: 'locked' },
    });
  });
  it('a non-2xx status is a failure even with Success:true', () => {
    expect(readPutAnswer(500, '{"Success":true}').success).toBe(false);
  });
  it.each([
    ['an empty 204', 204, ''],
    ['an HTML page with 200', 200, '<html><body>Please sign in</body></html>'],
    ['JSON without Success', 200, '{"ok":true}'],
    ['Success as a string', 200, '{"Success":"true"}'],
  ])('%s is unexpected, never a success', (_name, status, body) => {
    const answer = readPutAnswer(status, body);
    expect(answer.success).toBe(false);
    expect(answer.unexpected).toMatch(new RegExp(`^HTTP ${status} without Zuora's success body`));
  });
  it('success for another Id than the one sent is unexpected', () => {
    const answer = readPutAnswer(200, `{"Id":"${'f'.repeat(32)}","Success":true}`, '8ad08ae29085a77b0190908bfdd67abb');
    expect(answer).toMatchObject({ success: false, unexpected: expect.stringMatching(/another record/) });
  });
  it('the same Id in another case is a success', () => {
    expect(readPutAnswer(200, '{"Id":"8AD08AE29085A77B0190908BFDD67ABB","Success":true}', '8ad08ae29085a77b0190908bfdd67abb')).toEqual({ success: true });
  });
  it('the message keeps only the start of a long body', () => {
    const answer = readPutAnswer(200, `<html>${'x'.repeat(5000)}</html>`);
    expect(answer.unexpected?.length).toBeLessThan(300);
  });
});

it('reads the SOAP fault of an Actions call: the code without its namespace, and the fault string', () => {
  const body = JSON.stringify({
    faultcode: 'fns:INVALID_FIELD',
    faultstring: 'invalid field for query: Usage.mystery__c',
    detail: { MalformedQueryFault: { FaultCode: 'INVALID_FIELD', FaultMessage: 'invalid field for query: Usage.mystery__c' } },
  });
  expect(parseZuoraError(400, body)).toEqual({ code: 'INVALID_FIELD', message: 'invalid field for query: Usage.mystery__c' });
});
