/**
 * Who is connected, across every gateway replica: the seed's section 7.2 hash
 * `websocket:session:{user_id}`, field = connection id, value = JSON
 * `{connected_at, last_ping, gateway}` (epoch milliseconds). Admission is one Lua script, so
 * two replicas racing for a user's last slot cannot both win. Entries whose `last_ping` is
 * older than `staleAfterMs` belong to a replica that died without cleaning up: the script
 * drops them before counting. The hash itself expires after `ttlSeconds` without heartbeat.
 */
import type { Redis } from 'ioredis';
import { redisKeys } from '../src/contract/redis-keys';

const ADMIT = `
local entries = redis.call('HGETALL', KEYS[1])
local oldest_alive = tonumber(ARGV[4]) - tonumber(ARGV[5])
local alive = 0
for i = 1, #entries, 2 do
  local ok, entry = pcall(cjson.decode, entries[i + 1])
  if ok and type(entry) == 'table' and tonumber(entry.last_ping) and tonumber(entry.last_ping) >= oldest_alive then
    alive = alive + 1
  else
    redis.call('HDEL', KEYS[1], entries[i])
  end
end
if alive >= tonumber(ARGV[3]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[6])
return 1
`;

export interface SessionSettings {
  maxPerUser: number;
  staleAfterMs: number;
  ttlSeconds: number;
  gatewayId: string;
}

export interface LiveSession {
  userId: string;
  connectionId: string;
  connectedAt: number;
  lastPing: number;
}

export interface SessionRegistry {
  /** Records the connection unless the user already has `maxPerUser` live ones. */
  admit(userId: string, connectionId: string, now: number): Promise<boolean>;
  release(userId: string, connectionId: string): Promise<void>;
  /** Heartbeat: writes each live connection's `last_ping` and extends its hash's TTL. */
  touch(sessions: Iterable<LiveSession>): Promise<void>;
}

type WithAdmit = Redis & {
  gatewayAdmitSession(key: string, ...args: (string | number)[]): Promise<number>;
};

const TOUCH_BATCH = 1000;

export function createSessionRegistry(redis: Redis, settings: SessionSettings): SessionRegistry {
  redis.defineCommand('gatewayAdmitSession', { numberOfKeys: 1, lua: ADMIT });
  const entry = (connectedAt: number, lastPing: number) =>
    JSON.stringify({ connected_at: connectedAt, last_ping: lastPing, gateway: settings.gatewayId });

  return {
    async admit(userId, connectionId, now) {
      const admitted = await (redis as WithAdmit).gatewayAdmitSession(
        redisKeys.wsSessions(userId),
        connectionId,
        entry(now, now),
        settings.maxPerUser,
        now,
        settings.staleAfterMs,
        settings.ttlSeconds,
      );
      return admitted === 1;
    },
    async release(userId, connectionId) {
      await redis.hdel(redisKeys.wsSessions(userId), connectionId);
    },
    async touch(sessions) {
      // Every batch is written to the connection before the first await, so a release (HDEL)
      // issued later for a connection that closes meanwhile is ordered after its HSET.
      const batches: Promise<unknown>[] = [];
      let pipeline = redis.pipeline();
      const users = new Set<string>();
      const flush = () => {
        for (const user of users) pipeline.expire(redisKeys.wsSessions(user), settings.ttlSeconds);
        batches.push(pipeline.exec());
        pipeline = redis.pipeline();
        users.clear();
      };
      for (const s of sessions) {
        pipeline.hset(
          redisKeys.wsSessions(s.userId),
          s.connectionId,
          entry(s.connectedAt, s.lastPing),
        );
        users.add(s.userId);
        if (pipeline.length >= TOUCH_BATCH) flush();
      }
      if (pipeline.length > 0) flush();
      await Promise.all(batches);
    },
  };
}
