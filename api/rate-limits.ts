/**
 * The rate limits of the API (the seed's 5.3, completed) and the limiter behind them: a
 * sliding window log in Redis. Each check is one Lua script, so it is atomic across any number
 * of API replicas: drop the entries older than the window, count, admit and record or refuse.
 * Time comes from the Redis server (`TIME`), so replicas with skewed clocks agree.
 *
 * When Redis is unreachable or slow the limiter fails open (the request goes through without
 * limit headers): limits protect capacity, they are not a correctness guarantee, and the
 * order path must not go down with a cache. See docs/api.md.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisKeys } from '../src/contract/redis-keys';
import type { Logger } from '../src/logger';
import { WEBHOOK_RATE_LIMITS } from './routes/webhooks';

export interface RateRule {
  limit: number;
  windowSeconds: number;
  /** `ip`: always per client address; `user`: per user when authenticated, else per address. */
  by: 'ip' | 'user';
}

export const RATE_LIMITS = {
  'auth.register': { limit: 10, windowSeconds: 3600, by: 'ip' },
  'auth.login': { limit: 10, windowSeconds: 60, by: 'ip' },
  'auth.refresh': { limit: 30, windowSeconds: 60, by: 'ip' },
  'auth.logout': { limit: 30, windowSeconds: 60, by: 'ip' },
  'products.list': { limit: 100, windowSeconds: 60, by: 'user' },
  'orders.create': { limit: 20, windowSeconds: 60, by: 'user' },
  'orders.get': { limit: 100, windowSeconds: 60, by: 'user' },
  'orders.list': { limit: 100, windowSeconds: 60, by: 'user' },
  'orders.cancel': { limit: 20, windowSeconds: 60, by: 'user' },
  ...WEBHOOK_RATE_LIMITS,
} as const satisfies Record<string, RateRule>;

export type RateLimitName = keyof typeof RATE_LIMITS;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds when the next request is admitted (the oldest entry leaves the window). */
  resetAt: number;
  /** Seconds to wait before retrying, when refused. */
  retryAfter: number;
}

const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
end
local reset = now + window
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if oldest[2] then reset = tonumber(oldest[2]) + window end
return {allowed, limit - count, reset, now}
`;

type WithScript = Redis & {
  apiSlidingWindow(key: string, limit: number, windowMs: number, member: string): Promise<number[]>;
};

export interface RateLimiter {
  /** null when the limiter could not decide (Redis down or slow): the caller fails open. */
  check(subject: string, name: RateLimitName): Promise<RateDecision | null>;
}

export function createRateLimiter(redis: Redis, logger: Logger, timeoutMs = 200): RateLimiter {
  redis.defineCommand('apiSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW });
  let lastWarning = 0;
  const failOpen = (err: unknown) => {
    if (Date.now() - lastWarning > 10_000) {
      lastWarning = Date.now();
      logger.warn({ err }, 'rate limiter unavailable, failing open');
    }
    return null;
  };
  return {
    async check(subject, name) {
      const rule: RateRule = RATE_LIMITS[name];
      if (redis.status !== 'ready') return failOpen(new Error(`redis ${redis.status}`));
      const call = (redis as WithScript).apiSlidingWindow(
        redisKeys.rateLimit(subject, name),
        rule.limit,
        rule.windowSeconds * 1000,
        randomUUID(),
      );
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('rate limiter timed out')), timeoutMs);
      });
      try {
        const [allowed = 0, remaining = 0, resetMs = 0, nowMs = 0] = await Promise.race([
          call,
          timeout,
        ]);
        return {
          allowed: allowed === 1,
          limit: rule.limit,
          remaining: Math.max(0, remaining),
          resetAt: Math.ceil(resetMs / 1000),
          retryAfter: Math.max(1, Math.ceil((resetMs - nowMs) / 1000)),
        };
      } catch (err) {
        call.catch(() => undefined);
        return failOpen(err);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
