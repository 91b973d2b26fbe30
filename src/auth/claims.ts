/**
 * The access token contract between the API (which signs) and the gateway (which verifies):
 * RS256 JWTs with a `kid` header, verified against the API's JWKS. `sub` is the user id.
 */
import { z } from 'zod';

export const ROLES = ['admin', 'user', 'system'] as const;
export type Role = (typeof ROLES)[number];

export const accessTokenClaims = z.object({
  sub: z.uuid(),
  role: z.enum(ROLES),
  typ: z.literal('access'),
  jti: z.string(),
  iat: z.number(),
  exp: z.number(),
});
export type AccessTokenClaims = z.infer<typeof accessTokenClaims>;

/** The only algorithm accepted anywhere. */
export const JWT_ALG = 'RS256';
