import { describe, expect, it } from 'vitest';
import { createSecretRedactor } from '../../../src/send/secrets.js';

describe('createSecretRedactor', () => {
  const redactor = createSecretRedactor();
  redactor.add('dEm0+s3cret/for=Local+Zuora==');
  redactor.add('abc');

  it.each([
    ['raw', 'secret dEm0+s3cret/for=Local+Zuora== here', 'secret [redacted] here'],
    ['URL-encoded (a form body echoed back)', 'client_secret=dEm0%2Bs3cret%2Ffor%3DLocal%2BZuora%3D%3D&x=1', 'client_secret=[redacted]&x=1'],
    ['lowercase percent-encoding', 'dEm0%2bs3cret%2ffor%3dLocal%2bZuora%3d%3d', '[redacted]'],
    ['too short to be a secret is left alone', 'abc def', 'abc def'],
  ])('%s', (_name, text, expected) => {
    expect(redactor.redact(text)).toBe(expected);
  });
});
