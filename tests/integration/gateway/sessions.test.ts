/**
 * Sessions in Redis (seed 7.2) and the per-user connection limit, counted across replicas.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Db } from '../../../db/client';
import { createRedis } from '../../../src/redis';
import { redisKeys } from '../../../src/contract/redis-keys';
import {
  config,
  connect,
  eventually,
  mintToken,
  refusal,
  startGateway,
  startJwks,
  testDb,
  type RunningGateway,
} from './fixtures';

let jwks: Awaited<ReturnType<typeof startJwks>>;
let db: Db;
let redis: Redis;
let a: RunningGateway;
let b: RunningGateway;

beforeAll(async () => {
  jwks = await startJwks();
  db = testDb();
  redis = createRedis(config.REDIS_URL);
  a = await startGateway(jwks.url, db);
  b = await startGateway(jwks.url, db);
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await jwks?.close();
  redis?.disconnect();
  await db?.destroy();
});

describe('sessions', () => {
  it('records each connection in websocket:session:{user_id} and removes it on close', async () => {
    const user = randomUUID();
    const client = await connect(a, user, { token: await mintToken(jwks.keys, user) });
    const sessions = await redis.hgetall(redisKeys.wsSessions(user));
    const [entry] = Object.values(sessions).map((v) => JSON.parse(v) as Record<string, unknown>);
    expect(Object.keys(sessions)).toHaveLength(1);
    expect(entry).toMatchObject({
      gateway: a.options.gatewayId,
      connected_at: expect.any(Number),
      last_ping: expect.any(Number),
    });
    expect(await redis.ttl(redisKeys.wsSessions(user))).toBeGreaterThan(3000);

    await client.close();
    await eventually(async () => (await redis.hlen(redisKeys.wsSessions(user))) === 0);
  });

  it('refuses the 6th concurrent connection of a user with 429, counting every replica', async () => {
    const user = randomUUID();
    const token = await mintToken(jwks.keys, user);
    const open = [];
    for (const run of [a, b, a, b, a]) open.push(await connect(run, user, { token }));

    for (const run of [a, b]) {
      const refused = await refusal(run, user, { token });
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBeDefined();
    }

    await open.pop()!.close();
    const sixth = await eventually(() => connect(b, user, { token }).catch(() => undefined));
    await Promise.all([...open, sixth].map((c) => c.close()));
  });

  it('counts an admin watching other users against the admin, not the customer', async () => {
    const customer = randomUUID();
    const admin = await mintToken(jwks.keys, randomUUID(), { role: 'admin' });
    const watcher = await connect(a, customer, { token: admin });
    const own = await connect(a, customer, { token: await mintToken(jwks.keys, customer) });
    expect(await redis.hlen(redisKeys.wsSessions(customer))).toBe(1);
    await Promise.all([watcher.close(), own.close()]);
  });

  it('drops the entries of a replica that died once their last_ping is stale', async () => {
    const user = randomUUID();
    const key = redisKeys.wsSessions(user);
    const longAgo = Date.now() - 24 * 3600 * 1000;
    for (let i = 0; i < 5; i++) {
      await redis.hset(
        key,
        randomUUID(),
        JSON.stringify({ connected_at: longAgo, last_ping: longAgo, gateway: 'dead' }),
      );
    }
    const client = await connect(a, user, { token: await mintToken(jwks.keys, user) });
    const gateways = Object.values(await redis.hgetall(key)).map(
      (v) => (JSON.parse(v) as { gateway: string }).gateway,
    );
    expect(gateways).toEqual([a.options.gatewayId]);
    await client.close();
  });
});
