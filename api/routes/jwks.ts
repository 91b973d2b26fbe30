/** /.well-known/jwks.json: the public keys that verify our tokens (the gateway fetches them). */
import { createRoute, z } from '@hono/zod-openapi';
import type { SigningKeys } from '../../src/auth/keys';
import { router } from '../router';
import { json } from '../schemas';

const JwksSchema = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())) })
  .openapi('JSONWebKeySet');

export function jwksRoutes(keys: SigningKeys) {
  const jwks = createRoute({
    method: 'get',
    path: '/.well-known/jwks.json',
    tags: ['auth'],
    summary: 'Public keys (RS256) for verifying access tokens',
    responses: { 200: json(JwksSchema, 'The JSON Web Key Set', false) },
  });
  return router().openapi(jwks, (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(keys.jwks, 200);
  });
}
