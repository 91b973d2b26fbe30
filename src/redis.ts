/**
 * Redis connections and the one write the saga makes to Redis: publishing an order's status
 * change. Publishing is a single Lua script, so it is atomic and idempotent: an event id that
 * was already published is skipped (an activity retry never sends a duplicate), otherwise the
 * change is appended to the owner's stream (for replay on reconnect), fanned out on the live
 * channel (each gateway holds one subscriber), and the order's cache entry is dropped so the
 * next read cannot show an older status than Postgres.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { OrderUpdateMessage } from './contract/ws-messages';
import { redisKeys, STATUS_CHANNEL, STATUS_STREAM_MAXLEN } from './contract/redis-keys';

export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: 3, enableAutoPipelining: true, ...options });
}

const PUBLISH_STATUS = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', 604800) == false then
  return false
end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 'msg', ARGV[2])
redis.call('PUBLISH', ARGV[3], id .. ' ' .. ARGV[2])
redis.call('DEL', KEYS[3])
return id
`;

export interface StatusPublisher {
  /** Returns the stream id, or null when this event id was already published. */
  publish(message: OrderUpdateMessage): Promise<string | null>;
}

export function createStatusPublisher(redis: Redis): StatusPublisher {
  redis.defineCommand('publishOrderStatus', { numberOfKeys: 3, lua: PUBLISH_STATUS });
  type WithScript = Redis & {
    publishOrderStatus(...args: (string | number)[]): Promise<string | null>;
  };
  return {
    async publish(message) {
      const { id: _id, ...body } = message;
      return (redis as WithScript).publishOrderStatus(
        redisKeys.publishedEvent(message.event_id),
        redisKeys.userStatusStream(message.user_id),
        redisKeys.orderCache(message.order_id),
        STATUS_STREAM_MAXLEN,
        JSON.stringify(body),
        STATUS_CHANNEL,
      );
    },
  };
}

/** Parses a live-channel payload: "<stream id> <json>". */
export function parseLiveStatus(payload: string): { id: string; json: string } {
  const space = payload.indexOf(' ');
  return { id: payload.slice(0, space), json: payload.slice(space + 1) };
}
