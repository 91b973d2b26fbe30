/**
 * `requireAuth`: the request must carry `Authorization: Bearer <access token>`, an RS256 JWT
 * signed by our key and not expired; on success `c.get('auth')` holds the caller. Every
 * failure is a 401 problem with a WWW-Authenticate challenge (RFC 6750).
 */
import { createMiddleware } from 'hono/factory';
import { TokenError, type TokenVerifier } from '../../src/auth/tokens';
import type { Role } from '../../src/auth/claims';
import { ForbiddenError, UnauthorizedError } from '../errors';
import type { AppEnv, AuthedEnv } from '../env';

const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i;

export function requireAuth(verifier: TokenVerifier) {
  return createMiddleware<AppEnv & AuthedEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) throw new UnauthorizedError('missing bearer token', 'missing');
    const match = BEARER.exec(header.trim());
    if (!match?.[1]) throw new UnauthorizedError('malformed bearer token');
    try {
      const claims = await verifier.verifyAccess(match[1]);
      c.set('auth', { userId: claims.sub, role: claims.role, tokenId: claims.jti });
    } catch (err) {
      if (err instanceof TokenError) {
        throw err.reason === 'expired'
          ? new UnauthorizedError('access token expired', 'expired')
          : new UnauthorizedError('access token invalid');
      }
      throw err;
    }
    await next();
  });
}

export function requireRole(...roles: Role[]) {
  return createMiddleware<AppEnv & AuthedEnv>(async (c, next) => {
    if (!roles.includes(c.get('auth').role))
      throw new ForbiddenError(`requires role ${roles.join(' or ')}`);
    await next();
  });
}
