/** /api/v1/auth: register, login, refresh (rotating), logout. All limited per client address. */
import { createRoute } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { rateLimit } from '../middleware/rate-limit';
import type { RateLimiter } from '../rate-limits';
import { router } from '../router';
import {
  json,
  jsonBody,
  LoginBody,
  problems,
  RefreshBody,
  RegisterBody,
  TokenPairSchema,
  UserSchema,
} from '../schemas';
import type { AuthService } from '../services/auth';

export function authRoutes(auth: AuthService, limiter: RateLimiter | undefined) {
  const limit = (name: Parameters<typeof rateLimit>[1]): MiddlewareHandler<AppEnv> =>
    rateLimit(limiter, name);

  const register = createRoute({
    method: 'post',
    path: '/register',
    tags: ['auth'],
    summary: 'Create an account',
    middleware: [limit('auth.register')] as const,
    request: { body: jsonBody(RegisterBody) },
    responses: {
      201: json(UserSchema, 'The new account'),
      ...problems(400, 409, 413, 415, 422, 429),
    },
  });

  const login = createRoute({
    method: 'post',
    path: '/login',
    tags: ['auth'],
    summary: 'Exchange email and password for an access and a refresh token',
    middleware: [limit('auth.login')] as const,
    request: { body: jsonBody(LoginBody) },
    responses: {
      200: json(TokenPairSchema, 'A new session'),
      ...problems(400, 401, 413, 415, 422, 429),
    },
  });

  const refresh = createRoute({
    method: 'post',
    path: '/refresh',
    tags: ['auth'],
    summary: 'Spend a refresh token for a new pair (the old one is then spent)',
    description: 'Presenting a spent refresh token again revokes every token of its session.',
    middleware: [limit('auth.refresh')] as const,
    request: { body: jsonBody(RefreshBody) },
    responses: {
      200: json(TokenPairSchema, 'The next pair of the session'),
      ...problems(400, 401, 413, 415, 422, 429),
    },
  });

  const logout = createRoute({
    method: 'post',
    path: '/logout',
    tags: ['auth'],
    summary: 'End the session of a refresh token (revokes its whole family)',
    description: 'Access tokens already issued stay valid until they expire (15 minutes at most).',
    middleware: [limit('auth.logout')] as const,
    request: { body: jsonBody(RefreshBody) },
    responses: { 204: { description: 'Session ended' }, ...problems(400, 401, 413, 415, 422, 429) },
  });

  return router()
    .openapi(register, async (c) => c.json(await auth.register(c.req.valid('json')), 201))
    .openapi(login, async (c) => {
      const { email, password } = c.req.valid('json');
      return c.json(await auth.login(email, password), 200);
    })
    .openapi(refresh, async (c) =>
      c.json(await auth.refresh(c.req.valid('json').refresh_token), 200),
    )
    .openapi(logout, async (c) => {
      await auth.logout(c.req.valid('json').refresh_token);
      return c.body(null, 204);
    });
}
