/**
 * Signing and verifying the two kinds of token. Both are RS256 JWTs with a `kid` header:
 * - access tokens (15 minutes by default) carry the claims of ./claims.ts;
 * - refresh tokens (7 days) carry `typ: "refresh"`, their row id as `jti` and their rotation
 *   family as `fam`; the API checks each one against the refresh_tokens table, so a refresh
 *   token is only good once even though its signature stays valid.
 * The verifier takes any key lookup, so the gateway verifies with the API's remote JWKS and
 * the API with its local key set. Only RS256 is ever accepted (`none`, HS256 and friends are
 * refused by jose before any key is looked up), and a token without `kid` is refused.
 */
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { accessTokenClaims, JWT_ALG, type AccessTokenClaims, type Role } from './claims';
import type { SigningKeys } from './keys';

export const refreshTokenClaims = z.object({
  sub: z.uuid(),
  typ: z.literal('refresh'),
  jti: z.uuid(),
  fam: z.uuid(),
  iat: z.number(),
  exp: z.number(),
});
export type RefreshTokenClaims = z.infer<typeof refreshTokenClaims>;

export type TokenFailure = 'expired' | 'invalid';

/** A token that cannot be used; `reason` tells an expired one from any other failure. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
  constructor(readonly reason: TokenFailure) {
    super(reason === 'expired' ? 'token expired' : 'token invalid');
  }
}

export interface TokenSettings {
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
}

export interface IssuedRefreshToken {
  token: string;
  expiresAt: Date;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export function createTokenSigner(keys: SigningKeys, settings: TokenSettings, now: () => Date) {
  const sign = (claims: Record<string, unknown>, subject: string, ttl: number) => {
    const iat = seconds(now());
    return {
      exp: iat + ttl,
      token: new SignJWT(claims)
        .setProtectedHeader({ alg: JWT_ALG, kid: keys.kid, typ: 'JWT' })
        .setSubject(subject)
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttl)
        .sign(keys.privateKey),
    };
  };
  return {
    async signAccess(user: { userId: string; role: Role }): Promise<IssuedAccessToken> {
      const jti = randomUUID();
      const { token } = sign(
        { role: user.role, typ: 'access', jti },
        user.userId,
        settings.accessTtlSeconds,
      );
      return { token: await token, jti, expiresIn: settings.accessTtlSeconds };
    },
    async signRefresh(user: {
      userId: string;
      tokenId: string;
      familyId: string;
    }): Promise<IssuedRefreshToken> {
      const { token, exp } = sign(
        { typ: 'refresh', jti: user.tokenId, fam: user.familyId },
        user.userId,
        settings.refreshTtlSeconds,
      );
      return { token: await token, expiresAt: new Date(exp * 1000) };
    },
  };
}
export type TokenSigner = ReturnType<typeof createTokenSigner>;

export interface VerifierOptions {
  /** Key lookup: `localKeySet(keys)` in the API, `createRemoteJWKSet(JWKS_URL)` elsewhere. */
  getKey: JWTVerifyGetKey;
  issuer: string;
  audience: string;
  now?: () => Date;
  /** Seconds of clock skew tolerated between signer and verifier (default 5). */
  clockToleranceSeconds?: number;
}

export function localKeySet(keys: SigningKeys): JWTVerifyGetKey {
  return createLocalJWKSet(keys.jwks);
}

export function createTokenVerifier(options: VerifierOptions) {
  const requireKid: JWTVerifyGetKey = (header, token) => {
    if (typeof header.kid !== 'string' || header.kid === '') throw new TokenError('invalid');
    return options.getKey(header, token);
  };
  async function verify<T>(token: string, schema: z.ZodType<T>): Promise<T> {
    try {
      const { payload } = await jwtVerify(token, requireKid, {
        algorithms: [JWT_ALG],
        issuer: options.issuer,
        audience: options.audience,
        clockTolerance: options.clockToleranceSeconds ?? 5,
        ...(options.now ? { currentDate: options.now() } : {}),
      });
      const claims = schema.safeParse(payload);
      if (!claims.success) throw new TokenError('invalid');
      return claims.data;
    } catch (err) {
      if (err instanceof TokenError) throw err;
      if (err instanceof errors.JWTExpired) throw new TokenError('expired');
      throw new TokenError('invalid');
    }
  }
  return {
    verifyAccess: (token: string): Promise<AccessTokenClaims> => verify(token, accessTokenClaims),
    verifyRefresh: (token: string): Promise<RefreshTokenClaims> =>
      verify(token, refreshTokenClaims),
  };
}
export type TokenVerifier = ReturnType<typeof createTokenVerifier>;
