/**
 * `rateLimit(name)`: admits the request under the named limit of ../rate-limits.ts, per user
 * when the route is authenticated (so put it after `requireAuth`) or per client address.
 * Every limited response carries X-RateLimit-Limit, -Remaining and -Reset; a refusal is a 429
 * problem with Retry-After. Disabled entirely by RATE_LIMITS_ENABLED=false.
 */
import { createMiddleware } from 'hono/factory';
import { clientIp } from '../client-ip';
import type { AppEnv } from '../env';
import { RateLimitedError } from '../errors';
import { RATE_LIMITS, type RateLimiter, type RateLimitName } from '../rate-limits';

export function rateLimit(limiter: RateLimiter | undefined, name: RateLimitName) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!limiter) return next();
    const auth = c.get('auth');
    const subject =
      RATE_LIMITS[name].by === 'user' && auth ? `user:${auth.userId}` : `ip:${clientIp(c)}`;
    const decision = await limiter.check(subject, name);
    if (!decision) return next();
    c.header('X-RateLimit-Limit', String(decision.limit));
    c.header('X-RateLimit-Remaining', String(decision.remaining));
    c.header('X-RateLimit-Reset', String(decision.resetAt));
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfter, decision.limit);
    await next();
  });
}
