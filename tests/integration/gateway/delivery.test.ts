/**
 * What a connected client receives: the snapshot of its active orders, then every status
 * change in the seed's format, and after a reconnect exactly the changes it missed, in order.
 * Status changes are published exactly as the worker does (createStatusPublisher).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { Db } from '../../../db/client';
import { insertNewOrder } from '../../../db/queries/orders';
import { createRedis } from '../../../src/redis';
import { redisKeys } from '../../../src/contract/redis-keys';
import { anOrder } from '../../support/orders';
import {
  config,
  connect,
  mintToken,
  SAGA_PATH,
  startGateway,
  startJwks,
  statusPublisher,
  testDb,
  type Received,
  type RunningGateway,
  type TestClient,
} from './fixtures';

let jwks: Awaited<ReturnType<typeof startJwks>>;
let db: Db;
let redis: Redis;
let run: RunningGateway;
let publish: ReturnType<typeof statusPublisher>;

beforeAll(async () => {
  jwks = await startJwks();
  db = testDb();
  redis = createRedis(config.REDIS_URL);
  publish = statusPublisher(redis);
  run = await startGateway(jwks.url, db);
});

afterAll(async () => {
  await run?.stop();
  await jwks?.close();
  redis?.disconnect();
  await db?.destroy();
});

async function watch(userId: string, options: { lastEventId?: string } = {}): Promise<TestClient> {
  return connect(run, userId, { token: await mintToken(jwks.keys, userId), ...options });
}

const updates = (messages: Received[]) => messages.filter((m) => m.type === 'order.update');

describe('snapshot and live updates', () => {
  it('sends the active orders as a snapshot, then each status change of them in the seed format', async () => {
    const user = randomUUID();
    const active = anOrder({ userId: user });
    const done = anOrder({ userId: user });
    await insertNewOrder(db, active);
    await insertNewOrder(db, done);
    await db
      .updateTable('orders')
      .set({ status: 'delivered' })
      .where('order_id', '=', done.orderId)
      .execute();

    const client = await watch(user);
    const snapshot = await client.next();
    expect(snapshot).toMatchObject({ type: 'snapshot', last_event_id: '0-0' });
    expect(snapshot.orders).toEqual([
      expect.objectContaining({
        order_id: active.orderId,
        status: 'pending',
        total_amount: '25.00',
      }),
    ]);

    const published = [];
    for (const status of SAGA_PATH.slice(1)) {
      const data =
        status === 'shipped'
          ? {
              tracking_number: '1Z999AA1234567890',
              carrier: 'UPS',
              estimated_delivery: '2026-02-20',
            }
          : {};
      published.push(await publish(user, active.orderId, status, data));
    }
    const received = await client.take(published.length);
    expect(received).toEqual(
      published.map((p) => ({
        type: 'order.update',
        id: p.id,
        event_id: p.event_id,
        order_id: active.orderId,
        user_id: user,
        status: p.status,
        message: p.message,
        timestamp: p.timestamp,
        data: p.data,
      })),
    );
    expect(received.find((m) => m.status === 'shipped')?.data).toMatchObject({ carrier: 'UPS' });
    await client.expectSilence();
    await client.close();
  });

  it("delivers only the watched user's changes", async () => {
    const [me, other] = [randomUUID(), randomUUID()];
    const client = await watch(me);
    await client.next(); // snapshot
    await publish(other, randomUUID(), 'paid');
    const mine = await publish(me, randomUUID(), 'paid');
    expect((await client.next()).id).toBe(mine.id);
    await client.expectSilence();
    await client.close();
  });
});

describe('reconnecting', () => {
  it('replays exactly the changes missed since last_event_id, in order, before live ones', async () => {
    const user = randomUUID();
    const order = randomUUID();
    const first = await watch(user);
    await first.next();
    const seen = [await publish(user, order, 'validated'), await publish(user, order, 'paid')];
    expect((await first.take(2)).map((m) => m.id)).toEqual(seen.map((s) => s.id));
    await first.close();

    const missed = [
      await publish(user, order, 'processing'),
      await publish(user, order, 'fulfilled'),
      await publish(user, order, 'shipped'),
    ];
    const second = await watch(user, { lastEventId: seen[1]!.id });
    const snapshot = await second.next();
    expect(snapshot).toMatchObject({ type: 'snapshot', last_event_id: missed[2]!.id });
    const replayed = await second.take(3);
    expect(replayed.map((m) => [m.id, m.status])).toEqual(missed.map((m) => [m.id, m.status]));

    const live = await publish(user, order, 'delivered');
    expect(await second.next()).toMatchObject({ id: live.id, status: 'delivered' });
    await second.expectSilence();
    await second.close();
  });

  it('accepts last_event_id as a first "resume" message too', async () => {
    const user = randomUUID();
    const order = randomUUID();
    const before = await publish(user, order, 'validated');
    const missed = [await publish(user, order, 'paid'), await publish(user, order, 'processing')];
    const client = await watch(user);
    client.send({ type: 'resume', last_event_id: before.id });
    expect((await client.next()).type).toBe('snapshot');
    expect((await client.take(2)).map((m) => m.id)).toEqual(missed.map((m) => m.id));
    await client.expectSilence();

    client.send({ type: 'resume', last_event_id: before.id });
    expect(await client.next()).toMatchObject({ type: 'error', code: 'resume_not_first' });
    await client.close();
  });

  it('says so when changes after last_event_id were trimmed from the stream', async () => {
    const user = randomUUID();
    const order = randomUUID();
    const old = await publish(user, order, 'validated');
    await publish(user, order, 'paid');
    const kept = await publish(user, order, 'processing');
    await redis.xtrim(redisKeys.userStatusStream(user), 'MAXLEN', 1);

    const client = await watch(user, { lastEventId: old.id });
    expect((await client.next()).type).toBe('snapshot');
    expect(await client.next()).toMatchObject({ type: 'error', code: 'resume_gap' });
    expect(await client.next()).toMatchObject({ id: kept.id });
    await client.close();
  });

  it('loses and repeats nothing while clients connect and resume during a burst of changes', async () => {
    const user = randomUUID();
    const order = randomUUID();
    const ids: string[] = [];
    const total = 300;
    const clients: { client: TestClient; after: string | null }[] = [];
    for (let i = 0; i < total; i++) {
      ids.push((await publish(user, order, SAGA_PATH[i % SAGA_PATH.length]!)).id);
      if (i === 50) clients.push({ client: await watch(user), after: null });
      if (i === 100)
        clients.push({ client: await watch(user, { lastEventId: ids[20]! }), after: ids[20]! });
      if (i === 150)
        clients.push({ client: await watch(user, { lastEventId: ids[149]! }), after: ids[149]! });
    }
    for (const { client, after } of clients) {
      const snapshot = await client.next();
      expect(snapshot.type).toBe('snapshot');
      const from = after ?? (snapshot.last_event_id as string);
      const expected = ids.slice(ids.indexOf(from) + 1);
      const got = updates(await client.take(expected.length)).map((m) => m.id);
      expect(got).toEqual(expected);
      await client.expectSilence(200);
      await client.close();
    }
  });
});

describe("when Redis drops the gateway's subscriber", () => {
  it('replays what the live feed missed once the subscriber is back, once and in order', async () => {
    const user = randomUUID();
    const order = randomUUID();
    const client = await watch(user);
    await client.next();
    await new Promise((r) => setTimeout(r, run.options.resumeWaitMs + 50)); // live
    const before = await publish(user, order, 'validated');
    expect((await client.next()).id).toBe(before.id);

    const clients = String(await redis.client('LIST'));
    const id = /id=(\d+) [^\n]*name=sub-([\w-]+)/.exec(
      clients.split('\n').find((l) => l.includes(`name=sub-${run.options.gatewayId}`)) ?? '',
    )?.[1];
    expect(id).toBeDefined();
    await redis.client('KILL', 'ID', id!);
    // Published while the subscriber reconnects (ioredis waits 50 ms before its first retry).
    const missed = [await publish(user, order, 'paid'), await publish(user, order, 'processing')];

    expect((await client.take(2)).map((m) => m.id)).toEqual(missed.map((m) => m.id));
    const after = await publish(user, order, 'fulfilled');
    expect((await client.next()).id).toBe(after.id);
    await client.expectSilence();
    await client.close();
  });
});

describe('client messages', () => {
  it('answers a ping with a pong and an unknown message with an error, and stays open', async () => {
    const client = await watch(randomUUID());
    await client.next();
    client.send({ type: 'ping' });
    expect(await client.next()).toEqual({ type: 'pong' });
    client.send('hello');
    expect(await client.next()).toMatchObject({ type: 'error', code: 'invalid_message' });
    client.send({ type: 'ping' });
    expect(await client.next()).toEqual({ type: 'pong' });
    await client.close();
  });
});
