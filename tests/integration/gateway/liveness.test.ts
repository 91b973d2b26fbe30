/**
 * Keeping connections honest: heartbeat, token expiry, message size, slow readers, shutdown,
 * and the HTTP endpoints beside the WebSocket.
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
  startGateway,
  startJwks,
  statusPublisher,
  testDb,
  type RunningGateway,
} from './fixtures';

let jwks: Awaited<ReturnType<typeof startJwks>>;
let db: Db;
let redis: Redis;
let run: RunningGateway;

beforeAll(async () => {
  jwks = await startJwks();
  db = testDb();
  redis = createRedis(config.REDIS_URL);
  run = await startGateway(jwks.url, db, {
    pingIntervalMs: 200,
    maxMissedPongs: 2,
    maxMessageBytes: 1024,
    maxBackpressureBytes: 64 * 1024,
  });
});

afterAll(async () => {
  await run?.stop();
  await jwks?.close();
  redis?.disconnect();
  await db?.destroy();
});

const sessionCount = (user: string) => redis.hlen(redisKeys.wsSessions(user));

describe('heartbeat', () => {
  it('closes a client that stops answering pings with 4000 and removes its session', async () => {
    const user = randomUUID();
    const client = await connect(run, user, {
      token: await mintToken(jwks.keys, user),
      autoPong: false,
    });
    expect(await sessionCount(user)).toBe(1);
    expect(await client.closed).toEqual({ code: 4000, reason: 'heartbeat timeout' });
    expect(client.pings).toBe(2); // closed at the tick after the second unanswered ping
    await eventually(async () => (await sessionCount(user)) === 0);
  });

  it('keeps a client that answers and moves its last_ping forward', async () => {
    const user = randomUUID();
    const client = await connect(run, user, { token: await mintToken(jwks.keys, user) });
    const entry = async () => {
      const [value] = Object.values(await redis.hgetall(redisKeys.wsSessions(user)));
      return JSON.parse(value!) as { connected_at: number; last_ping: number };
    };
    await eventually(async () => {
      const e = await entry();
      return e.last_ping > e.connected_at;
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    await client.close();
  });

  it('closes the connection with 4001 once the access token expires', async () => {
    const user = randomUUID();
    const client = await connect(run, user, {
      token: await mintToken(jwks.keys, user, { ttl: 2 }),
    });
    expect(await client.closed).toEqual({ code: 4001, reason: 'token expired' });
  });
});

describe('limits', () => {
  it('closes a client that sends a message over the size limit with 1009', async () => {
    const user = randomUUID();
    const client = await connect(run, user, { token: await mintToken(jwks.keys, user) });
    client.send({ type: 'ping', padding: 'x'.repeat(2000) });
    expect(await client.closed).toEqual({ code: 1009, reason: 'message too big' });
  });

  it('drops a client that reads too slowly (4008) while the others keep receiving everything', async () => {
    // Its own gateway, with the default 30 s heartbeat: a paused client cannot answer pings.
    const gateway = await startGateway(jwks.url, db, { maxBackpressureBytes: 64 * 1024 });
    const user = randomUUID();
    const order = randomUUID();
    const token = await mintToken(jwks.keys, user);
    const slow = await connect(gateway, user, { token });
    const fast = await connect(gateway, user, { token });
    await Promise.all([slow.next(), fast.next()]); // snapshots
    await new Promise((r) => setTimeout(r, gateway.options.resumeWaitMs + 50)); // both live
    slow.socket.pause();

    const publish = statusPublisher(redis);
    const padding = 'x'.repeat(8 * 1024);
    const total = 1500; // ~12 MB: more than the kernel's socket buffers hold
    const sent: string[] = [];
    for (let i = 0; i < total; i++)
      sent.push((await publish(user, order, 'processing', { padding })).id);

    const received = await fast.take(total, 10_000);
    expect(received.map((m) => m.id)).toEqual(sent);
    await eventually(() => gateway.gateway.connections() === 1);
    const metrics = await (await fetch(`http://127.0.0.1:${gateway.port}/metrics`)).text();
    expect(metrics).toMatch(/gateway_ws_drops_total\{reason="slow_consumer"[^}]*\} 1/);

    slow.socket.resume();
    expect((await slow.closed).code).toBe(4008);
    await fast.close();
    await gateway.stop();
  });
});

describe('shutdown and HTTP', () => {
  it('answers /health with 200 JSON and /metrics with the gateway series', async () => {
    const health = await fetch(`http://127.0.0.1:${run.port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      redis: 'ready',
      subscriber: 'ready',
    });

    const metrics = await (await fetch(`http://127.0.0.1:${run.port}/metrics`)).text();
    expect(metrics).toContain('gateway_ws_connections');
    expect(metrics).toContain('gateway_ws_messages_sent_total');
    expect(metrics).toContain('gateway_ws_drops_total');
  });

  it('serves the demo page', async () => {
    const page = await fetch(`http://127.0.0.1:${run.port}/`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('/app.js');
    expect((await fetch(`http://127.0.0.1:${run.port}/app.js`)).status).toBe(200);
  });

  it('closes every socket with 1001 on stop and removes their sessions', async () => {
    const other = await startGateway(jwks.url, db);
    const user = randomUUID();
    const client = await connect(other, user, { token: await mintToken(jwks.keys, user) });
    await other.stop();
    expect(await client.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect(await sessionCount(user)).toBe(0);
  });
});
