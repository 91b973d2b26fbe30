import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authorize, extractToken, originAllowed, Refusal } from '../../../gateway/auth';
import type { AccessTokenClaims } from '../../../src/auth/claims';

const claims = (sub: string, role: AccessTokenClaims['role'] = 'user'): AccessTokenClaims => ({
  sub,
  role,
  typ: 'access',
  jti: randomUUID(),
  iat: 1,
  exp: 2,
});

function refusalOf(fn: () => unknown): Refusal {
  try {
    fn();
  } catch (err) {
    if (err instanceof Refusal) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('extractToken', () => {
  it('prefers the Authorization header and falls back to the token parameter', () => {
    expect(extractToken('Bearer abc.def.ghi', 'zzz')).toBe('abc.def.ghi');
    expect(extractToken('bearer   abc.def.ghi', '')).toBe('abc.def.ghi');
    expect(extractToken('', 'q.q.q')).toBe('q.q.q');
    expect(extractToken('Basic dXNlcjpwYXNz', '')).toBeNull();
    expect(extractToken('', '')).toBeNull();
  });
});

describe('originAllowed', () => {
  const list = ['http://localhost:8001'];
  it('lets clients without Origin (not browsers) through', () => {
    expect(originAllowed('', list)).toBe(true);
  });
  it('checks browsers against the allow-list', () => {
    expect(originAllowed('http://localhost:8001', list)).toBe(true);
    expect(originAllowed('http://evil.example', list)).toBe(false);
    expect(originAllowed('http://evil.example', ['*'])).toBe(true);
  });
});

describe('authorize', () => {
  const me = randomUUID();
  const someoneElse = randomUUID();

  it('lets a user watch their own orders', () => {
    expect(authorize(claims(me), me)).toMatchObject({ userId: me, role: 'user', exp: 2 });
  });
  it("refuses another user's orders with 403", () => {
    expect(refusalOf(() => authorize(claims(me), someoneElse)).status).toBe(403);
    expect(refusalOf(() => authorize(claims(me, 'system'), someoneElse)).status).toBe(403);
  });
  it('lets an admin watch anyone', () => {
    expect(authorize(claims(me, 'admin'), someoneElse).userId).toBe(me);
  });
  it('refuses a path that is not a user id with 400', () => {
    expect(refusalOf(() => authorize(claims(me), 'me')).status).toBe(400);
  });
});
