import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { generateSecret, isValidSecret, sign, signedHeaders } from '../../../src/webhooks/signing';

describe('Standard Webhooks signing', () => {
  it('produces signatures the standardwebhooks library verifies', () => {
    const secret = generateSecret();
    const body = JSON.stringify({
      type: 'order.shipped',
      timestamp: new Date().toISOString(),
      data: { a: 1 },
    });
    const headers = signedHeaders(secret, 'evt-1', new Date(), body);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('matches the library byte for byte for the same id, time and body', () => {
    const secret = generateSecret();
    const at = new Date('2026-11-26T10:00:00Z');
    expect(sign(secret, 'msg_1', Math.floor(at.getTime() / 1000), '{"x":1}')).toBe(
      new Webhook(secret).sign('msg_1', at, '{"x":1}'),
    );
  });

  it('fails verification when the body, id or timestamp is changed', () => {
    const secret = generateSecret();
    const headers = signedHeaders(secret, 'evt-1', new Date(), '{"a":1}');
    const verifier = new Webhook(secret);
    expect(() => verifier.verify('{"a":2}', { ...headers })).toThrow();
    expect(() => verifier.verify('{"a":1}', { ...headers, 'webhook-id': 'evt-2' })).toThrow();
    expect(() =>
      verifier.verify('{"a":1}', {
        ...headers,
        'webhook-timestamp': String(Number(headers['webhook-timestamp']) + 1),
      }),
    ).toThrow();
  });

  it('fails verification with another secret', () => {
    const headers = signedHeaders(generateSecret(), 'evt-1', new Date(), '{}');
    expect(() => new Webhook(generateSecret()).verify('{}', { ...headers })).toThrow();
  });

  it('generates whsec_ secrets of 32 random bytes', () => {
    const a = generateSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(generateSecret()).not.toBe(a);
  });

  it('accepts only whsec_ secrets of 24 to 64 bytes', () => {
    expect(isValidSecret('whsec_' + Buffer.alloc(24, 1).toString('base64'))).toBe(true);
    expect(isValidSecret('whsec_' + Buffer.alloc(64, 1).toString('base64'))).toBe(true);
    expect(isValidSecret('whsec_' + Buffer.alloc(23, 1).toString('base64'))).toBe(false);
    expect(isValidSecret('whsec_' + Buffer.alloc(65, 1).toString('base64'))).toBe(false);
    expect(isValidSecret(Buffer.alloc(32, 1).toString('base64'))).toBe(false);
    expect(isValidSecret('whsec_not base64!')).toBe(false);
  });
});
