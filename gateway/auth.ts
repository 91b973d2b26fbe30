/**
 * Who may open `/ws/orders/{user_id}`: a browser page from an allowed Origin (clients that
 * send no Origin, i.e. not browsers, are not subject to it), holding a valid access token,
 * watching its own orders (admins may watch anyone's). Every refusal is an HTTP status the
 * upgrade handler writes back: 401 no or bad token, 403 wrong user or Origin, 400 bad path,
 * 503 when the API's keys cannot be fetched.
 */
import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import type { AccessTokenClaims, Role } from '../src/auth/claims';
import { TokenError, type TokenVerifier } from '../src/auth/tokens';

export interface Caller {
  userId: string;
  role: Role;
  /** Access token expiry, epoch seconds: the connection is closed (4001) once it passes. */
  exp: number;
}

export class Refusal extends Error {
  override readonly name = 'Refusal';
  constructor(
    readonly status: 400 | 401 | 403 | 429 | 503,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

const BEARER = /^Bearer +(\S+)$/i;

/** The token from `Authorization: Bearer` (preferred) or the `token` query parameter. */
export function extractToken(authorization: string, queryToken: string): string | null {
  const match = BEARER.exec(authorization.trim());
  if (match?.[1]) return match[1];
  return queryToken || null;
}

/** Browsers always send Origin; it must be in the allow-list ("*" allows any). */
export function originAllowed(origin: string, allowList: readonly string[]): boolean {
  if (!origin) return true;
  return allowList.includes('*') || allowList.includes(origin);
}

const userId = z.uuid();

/** The path's user must be the token's subject, unless the caller is an admin. */
export function authorize(claims: AccessTokenClaims, pathUserId: string): Caller {
  if (!userId.safeParse(pathUserId).success)
    throw new Refusal(400, 'the path must be /ws/orders/{user_id}');
  if (claims.sub !== pathUserId && claims.role !== 'admin') {
    throw new Refusal(403, 'you may only watch your own orders');
  }
  return { userId: claims.sub, role: claims.role, exp: claims.exp };
}

/**
 * The API's public keys, fetched from its JWKS and cached by jose (refetched when an unknown
 * `kid` shows up, so a key rotation needs no restart). `available()` is false while the last
 * fetch failed: a token that cannot be checked then gets 503, not 401.
 */
export interface KeySource {
  getKey: JWTVerifyGetKey;
  available(): boolean;
}

export function remoteKeySource(jwksUrl: string): KeySource {
  const remote = createRemoteJWKSet(new URL(jwksUrl), {
    timeoutDuration: 5000,
    cooldownDuration: 30_000,
  });
  let failing = false;
  return {
    async getKey(header, token) {
      try {
        const key = await remote(header, token);
        failing = false;
        return key;
      } catch (err) {
        const verdict =
          err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys;
        failing = !verdict;
        throw err;
      }
    },
    available: () => !failing,
  };
}

/** A fixed key lookup (tests, or keys given as a file): always available. */
export function staticKeySource(getKey: JWTVerifyGetKey): KeySource {
  return { getKey, available: () => true };
}

/** Verifies the access token; maps every failure to the refusal the client gets. */
export async function authenticate(
  verifier: TokenVerifier,
  keys: KeySource,
  token: string | null,
): Promise<AccessTokenClaims> {
  if (!token)
    throw new Refusal(401, 'an access token is required', { 'WWW-Authenticate': 'Bearer' });
  try {
    return await verifier.verifyAccess(token);
  } catch (err) {
    if (!(err instanceof TokenError)) throw err;
    if (err.reason === 'invalid' && !keys.available()) {
      throw new Refusal(503, 'cannot check tokens right now, try again', { 'Retry-After': '5' });
    }
    const detail =
      err.reason === 'expired' ? 'the access token has expired' : 'the access token is invalid';
    throw new Refusal(401, detail, {
      'WWW-Authenticate': `Bearer error="invalid_token", error_description="${detail}"`,
    });
  }
}
