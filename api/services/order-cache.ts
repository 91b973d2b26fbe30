/**
 * The order cache of the seed's 7.3: Redis hash `order:{order_id}`, 30 minutes, one field per
 * order field (objects as JSON). The worker deletes the key on every status change, after its
 * Postgres commit. A naive fill (read Postgres, then write Redis) could still store an old
 * status if the change and its delete land between the read and the write, and serve it for
 * 30 minutes. So a fill is two steps: `beginFill` plants a marker field before the Postgres
 * read, and `commitFill` writes only if the marker is still there. A delete in between removes
 * the marker and the stale write is dropped: a read never shows an older status than Postgres.
 * Redis trouble never fails a read: the cache is skipped and Postgres answers.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ORDER_CACHE_TTL_SECONDS, redisKeys } from '../../src/contract/redis-keys';
import type { Logger } from '../../src/logger';

const BEGIN_FILL = `
if redis.call('HEXISTS', KEYS[1], 'order_id') == 1 then return 0 end
redis.call('HSET', KEYS[1], '_fill', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

const COMMIT_FILL = `
if redis.call('HGET', KEYS[1], '_fill') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
`;

type WithScripts = Redis & {
  apiOrderCacheBegin(key: string, token: string, ttlMs: number): Promise<number>;
  apiOrderCacheCommit(
    key: string,
    token: string,
    ttl: number,
    ...fields: string[]
  ): Promise<number>;
};

/** Hash fields are strings: scalars as they are, objects and arrays as JSON. */
export type CachedFields = Record<string, string>;

export interface OrderCache {
  get(orderId: string): Promise<CachedFields | null>;
  /** Returns a fill token, or null when the cache should not be filled now. */
  beginFill(orderId: string): Promise<string | null>;
  commitFill(orderId: string, token: string, fields: CachedFields): Promise<void>;
}

export function createOrderCache(redis: Redis, logger: Logger, timeoutMs = 100): OrderCache {
  redis.defineCommand('apiOrderCacheBegin', { numberOfKeys: 1, lua: BEGIN_FILL });
  redis.defineCommand('apiOrderCacheCommit', { numberOfKeys: 1, lua: COMMIT_FILL });
  const r = redis as WithScripts;

  async function attempt<T>(what: string, call: () => Promise<T>): Promise<T | null> {
    if (redis.status !== 'ready') return null;
    const pending = call();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        pending,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`order cache ${what} timed out`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      pending.catch(() => undefined);
      logger.warn({ err }, `order cache ${what} skipped`);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async get(orderId) {
      const fields = await attempt('get', () => redis.hgetall(redisKeys.orderCache(orderId)));
      return fields && fields.order_id ? fields : null;
    },
    async beginFill(orderId) {
      const token = randomUUID();
      const ok = await attempt('fill', () =>
        r.apiOrderCacheBegin(redisKeys.orderCache(orderId), token, 10_000),
      );
      return ok === 1 ? token : null;
    },
    async commitFill(orderId, token, fields) {
      const flat = Object.entries(fields).flat();
      await attempt('fill', () =>
        r.apiOrderCacheCommit(
          redisKeys.orderCache(orderId),
          token,
          ORDER_CACHE_TTL_SECONDS,
          ...flat,
        ),
      );
    },
  };
}
