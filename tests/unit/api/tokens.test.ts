import { randomUUID } from 'node:crypto';
import { base64url, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateSigningKeys } from '../../../src/auth/keys';
import {
  createTokenSigner,
  createTokenVerifier,
  localKeySet,
  TokenError,
} from '../../../src/auth/tokens';
import { testKeys } from './fixtures';

const settings = {
  issuer: 'iss-test',
  audience: 'aud-test',
  accessTtlSeconds: 900,
  refreshTtlSeconds: 7 * 86400,
};
const user = { userId: randomUUID(), role: 'user' as const };

async function setup(now: () => Date = () => new Date()) {
  const keys = await testKeys();
  return {
    keys,
    signer: createTokenSigner(keys, settings, now),
    verifier: createTokenVerifier({ ...settings, getKey: localKeySet(keys), now }),
  };
}

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (err) {
    return err instanceof TokenError ? err.reason : `unexpected ${String(err)}`;
  }
}

describe('access and refresh tokens', () => {
  it('round-trips an access token with sub, role, typ and jti, signed RS256 with a kid', async () => {
    const { signer, verifier, keys } = await setup();
    const issued = await signer.signAccess(user);
    const [header] = issued.token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({
      alg: 'RS256',
      kid: keys.kid,
    });
    const claims = await verifier.verifyAccess(issued.token);
    expect(claims).toMatchObject({
      sub: user.userId,
      role: 'user',
      typ: 'access',
      jti: issued.jti,
    });
    expect(claims.exp - claims.iat).toBe(900);
  });

  it('reports an access token past its 15 minutes as expired', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const { signer, verifier } = await setup(() => now);
    const { token } = await signer.signAccess(user);
    now = new Date(now.getTime() + 14 * 60_000);
    await expect(verifier.verifyAccess(token)).resolves.toMatchObject({ sub: user.userId });
    now = new Date(now.getTime() + 2 * 60_000);
    expect(await reason(verifier.verifyAccess(token))).toBe('expired');
  });

  it('never accepts a refresh token as an access token, nor the reverse', async () => {
    const { signer, verifier } = await setup();
    const refresh = await signer.signRefresh({
      userId: user.userId,
      tokenId: randomUUID(),
      familyId: randomUUID(),
    });
    const access = await signer.signAccess(user);
    expect(await reason(verifier.verifyAccess(refresh.token))).toBe('invalid');
    expect(await reason(verifier.verifyRefresh(access.token))).toBe('invalid');
  });

  it('refuses a token signed by another RSA key with the same kid', async () => {
    const { verifier, keys } = await setup();
    const other = await generateSigningKeys();
    const forged = await new SignJWT({ role: 'admin', typ: 'access', jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: keys.kid })
      .setSubject(user.userId)
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(other.privateKey);
    expect(await reason(verifier.verifyAccess(forged))).toBe('invalid');
  });

  it('refuses HS256 (even keyed with the public key) and alg none', async () => {
    const { verifier, keys } = await setup();
    const claims = {
      sub: user.userId,
      role: 'admin',
      typ: 'access',
      jti: randomUUID(),
      iss: settings.issuer,
      aud: settings.audience,
    };
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: keys.kid })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JSON.stringify(keys.jwks.keys[0])));
    const now = Math.floor(Date.now() / 1000);
    const none = [
      base64url.encode(JSON.stringify({ alg: 'none', kid: keys.kid })),
      base64url.encode(JSON.stringify({ ...claims, iat: now, exp: now + 300 })),
      '',
    ].join('.');
    expect(await reason(verifier.verifyAccess(hs))).toBe('invalid');
    expect(await reason(verifier.verifyAccess(none))).toBe('invalid');
  });

  it('refuses a token without kid, or for another issuer or audience', async () => {
    const { verifier, keys } = await setup();
    const base = () =>
      new SignJWT({ role: 'user', typ: 'access', jti: randomUUID() })
        .setSubject(user.userId)
        .setIssuedAt()
        .setExpirationTime('5m');
    const noKid = await base()
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .sign(keys.privateKey);
    const otherIss = await base()
      .setProtectedHeader({ alg: 'RS256', kid: keys.kid })
      .setIssuer('evil')
      .setAudience(settings.audience)
      .sign(keys.privateKey);
    const otherAud = await base()
      .setProtectedHeader({ alg: 'RS256', kid: keys.kid })
      .setIssuer(settings.issuer)
      .setAudience('other')
      .sign(keys.privateKey);
    for (const token of [noKid, otherIss, otherAud, 'not.a.jwt', '']) {
      expect(await reason(verifier.verifyAccess(token))).toBe('invalid');
    }
  });
});
