/**
 * Webhook delivery end to end on the real engines: events on Kafka, the dispatcher's consumer,
 * delivery workflows on Temporal, a real HTTP receiver on 127.0.0.1 (private targets allowed
 * here), and the delivery log in Postgres. Retry intervals are milliseconds (FAST_WEBHOOK_ENV).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { OrderEvent } from '../../../src/contract/events';
import {
  eventually,
  orderLifecycle,
  recordInTimeline,
  startHarness,
  startReceiver,
  type Harness,
  type Receiver,
} from './fixtures';

let h: Harness;
let receiver: Receiver;

beforeAll(async () => {
  [h, receiver] = await Promise.all([startHarness(), startReceiver()]);
});

afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

async function register(path: string, eventTypes: string[] = ['*'], userId = randomUUID()) {
  const { webhook, secret } = await h.service.register(
    { userId, privileged: false },
    { url: receiver.url(path), event_types: eventTypes },
  );
  return { webhookId: webhook.webhook_id, secret, userId };
}

function deliveries(webhookId: string) {
  return h.db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('webhook_id', '=', webhookId)
    .execute();
}

function attempts(webhookId: string) {
  return h.db
    .selectFrom('webhook_logs')
    .selectAll()
    .where('webhook_id', '=', webhookId)
    .orderBy('attempts')
    .execute();
}

function webhookRow(webhookId: string) {
  return h.db
    .selectFrom('webhooks')
    .selectAll()
    .where('webhook_id', '=', webhookId)
    .executeTakeFirstOrThrow();
}

async function settled(webhookId: string, count: number) {
  return eventually(async () => {
    const rows = await deliveries(webhookId);
    return rows.length === count && rows.every((r) => r.status !== 'pending') && rows;
  }, `${count} settled deliveries`);
}

const bodyOf = (raw: string) =>
  JSON.parse(raw) as { type: string; timestamp: string; data: OrderEvent };

describe('webhook delivery', () => {
  it('signs every request so the standardwebhooks verifier accepts it', async () => {
    const { webhookId, secret, userId } = await register('/signed');
    const [created] = orderLifecycle(userId);
    await h.publish(created!);
    await settled(webhookId, 1);

    const [hit] = receiver.at('/signed');
    const payload = new Webhook(secret).verify(hit!.body, hit!.headers as Record<string, string>);
    expect(payload).toMatchObject({
      type: 'order.created',
      data: { event_id: created!.event_id, order_id: created!.order_id },
    });
    expect(hit!.headers['webhook-id']).toBe(created!.event_id);
    expect(hit!.headers['content-type']).toBe('application/json');
    expect(Math.abs(Number(hit!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(
      60,
    );
  });

  it("delivers each order's events in order, with several orders in flight", async () => {
    receiver.on('/ordered', () => ({ status: 200, delayMs: Math.floor(Math.random() * 40) }));
    const { webhookId, userId } = await register('/ordered');
    const orders = Array.from({ length: 4 }, () => orderLifecycle(userId));
    // Interleave the orders the way concurrent sagas would emit them.
    for (let step = 0; step < 6; step++) await h.emit(...orders.map((o) => o[step]!));
    await settled(webhookId, 24);

    const seen = receiver.at('/ordered').map((r) => bodyOf(r.body).data);
    expect(seen).toHaveLength(24);
    for (const order of orders) {
      const got = seen.filter((e) => e.order_id === order[0]!.order_id).map((e) => e.event_type);
      expect(got).toEqual(order.map((e) => e.event_type));
    }
  });

  it("holds back an event whose topic is consumed before the previous event's topic", async () => {
    const { webhookId, userId } = await register('/reordered');
    const [created, validated] = orderLifecycle(userId);
    // Both happened (order_events), but order_created lags behind order_validated on Kafka.
    await recordInTimeline(h.db, created!);
    await h.emit(validated!);
    await eventually(
      async () => (await deliveries(webhookId)).length === 1,
      'the later event to be scheduled',
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(receiver.at('/reordered')).toHaveLength(0);

    await h.publish(created!);
    await settled(webhookId, 2);
    expect(receiver.at('/reordered').map((r) => bodyOf(r.body).type)).toEqual([
      'order.created',
      'order.validated',
    ]);
  });

  it('retries a 500 and stops at the first success, with the same webhook-id', async () => {
    receiver.on('/flaky', (n) =>
      n < 2 ? { status: 500, body: 'boom' } : { status: 200, body: 'fine' },
    );
    const { webhookId, userId } = await register('/flaky');
    const [created] = orderLifecycle(userId);
    await h.publish(created!);
    const [delivery] = await settled(webhookId, 1);

    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, last_response_status: 200 });
    const hits = receiver.at('/flaky');
    expect(hits).toHaveLength(3);
    expect(new Set(hits.map((r) => r.headers['webhook-id']))).toEqual(new Set([created!.event_id]));
    const logs = await attempts(webhookId);
    expect(logs.map((l) => [l.attempts, l.status, l.response_status])).toEqual([
      [1, 'retrying', 500],
      [2, 'retrying', 500],
      [3, 'succeeded', 200],
    ]);
    expect(logs[0]).toMatchObject({
      response_body: 'boom',
      event_id: created!.event_id,
      error: 'HTTP 500',
    });
    expect(logs.every((l) => typeof l.latency_ms === 'number')).toBe(true);
  });

  it('does not retry a 400', async () => {
    receiver.on('/bad', () => ({ status: 400, body: 'nope' }));
    const { webhookId, userId } = await register('/bad');
    await h.publish(orderLifecycle(userId)[0]!);
    const [delivery] = await settled(webhookId, 1);
    // Longer than the whole retry schedule: a retry would have happened by now.
    await new Promise((r) => setTimeout(r, 1500));

    expect(delivery).toMatchObject({ status: 'rejected', last_response_status: 400 });
    expect(receiver.at('/bad')).toHaveLength(1);
    expect((await attempts(webhookId)).map((l) => l.status)).toEqual(['failed']);
    expect((await webhookRow(webhookId)).is_active).toBe(true);
  });

  it('disables the webhook on 410 Gone and delivers nothing more to it', async () => {
    receiver.on('/gone', () => ({ status: 410 }));
    const { webhookId, userId } = await register('/gone');
    const [created, validated] = orderLifecycle(userId);
    await h.publish(created!);
    await settled(webhookId, 1);

    const row = await webhookRow(webhookId);
    expect(row.is_active).toBe(false);
    expect(row.disabled_reason).toMatch(/410 Gone/);
    const view = await h.service.get({ userId, privileged: false }, webhookId);
    expect(view.disabled_reason).toMatch(/410 Gone/);

    await h.publish(validated!);
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.at('/gone')).toHaveLength(1);
  });

  it('honours Retry-After on a 429', async () => {
    receiver.on('/throttled', (n) =>
      n === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 },
    );
    const { webhookId, userId } = await register('/throttled');
    await h.publish(orderLifecycle(userId)[0]!);
    await settled(webhookId, 1);

    const [first, second] = receiver.at('/throttled');
    // Without Retry-After the next attempt would come after ~100 ms.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1900);
  });

  it('gives up after the last attempt, records the failure, and starts the failure clock', async () => {
    receiver.on('/down', () => ({ status: 503 }));
    const { webhookId, userId } = await register('/down');
    await h.publish(orderLifecycle(userId)[0]!);
    const [delivery] = await settled(webhookId, 1);

    expect(delivery).toMatchObject({ status: 'failed', attempts: 4 });
    expect(receiver.at('/down')).toHaveLength(4);
    expect((await attempts(webhookId)).map((l) => l.status)).toEqual([
      'retrying',
      'retrying',
      'retrying',
      'failed',
    ]);
    const row = await webhookRow(webhookId);
    expect(row.failing_since).toBeInstanceOf(Date);
    expect(row.is_active).toBe(true);
  });

  it('disables a webhook that has been failing for days, saying why', async () => {
    receiver.on('/dead', () => ({ status: 502 }));
    const { webhookId, userId } = await register('/dead');
    const sixDaysAgo = new Date(Date.now() - 6 * 24 * 3600 * 1000);
    await h.db
      .updateTable('webhooks')
      .set({ failing_since: sixDaysAgo })
      .where('webhook_id', '=', webhookId)
      .execute();
    await h.publish(orderLifecycle(userId)[0]!);
    await settled(webhookId, 1);

    const row = await webhookRow(webhookId);
    expect(row.is_active).toBe(false);
    expect(row.disabled_reason).toContain(`failed since ${sixDaysAgo.toISOString()}`);
  });

  it('clears the failure clock on a success', async () => {
    const { webhookId, userId } = await register('/recovered');
    await h.db
      .updateTable('webhooks')
      .set({ failing_since: new Date() })
      .where('webhook_id', '=', webhookId)
      .execute();
    await h.publish(orderLifecycle(userId)[0]!);
    await settled(webhookId, 1);
    expect((await webhookRow(webhookId)).failing_since).toBeNull();
  });

  it("delivers only the types a webhook subscribes to, only to the order owner's active webhooks", async () => {
    const userId = randomUUID();
    const shipped = await register('/only-shipped', ['order.shipped'], userId);
    const all = await register('/all', ['*'], userId);
    const paused = await register('/paused', ['*'], userId);
    await h.service.update({ userId, privileged: false }, paused.webhookId, { is_active: false });
    const stranger = await register('/stranger', ['*']);

    await h.publish(...orderLifecycle(userId));
    await settled(all.webhookId, 6);
    await settled(shipped.webhookId, 1);

    expect(receiver.at('/only-shipped').map((r) => bodyOf(r.body).type)).toEqual(['order.shipped']);
    expect(receiver.at('/all')).toHaveLength(6);
    expect(receiver.at('/paused')).toHaveLength(0);
    expect(receiver.at('/stranger')).toHaveLength(0);
    expect(await deliveries(stranger.webhookId)).toHaveLength(0);
  });

  it('does not deliver events that happened before the webhook was registered', async () => {
    const userId = randomUUID();
    const { webhookId } = await register('/late', ['*'], userId);
    const [created] = orderLifecycle(userId);
    const old = {
      ...created!,
      event_id: randomUUID(),
      occurred_at: new Date(Date.now() - 60_000).toISOString(),
    };
    await h.publish(old, created!);
    await settled(webhookId, 1);
    expect(receiver.at('/late').map((r) => r.headers['webhook-id'])).toEqual([created!.event_id]);
  });

  it('delivers a redelivered Kafka message once', async () => {
    const { webhookId, userId } = await register('/once');
    const [created] = orderLifecycle(userId);
    await h.publish(created!, created!);
    await settled(webhookId, 1);
    await h.publish(created!); // again, after the delivery completed
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver.at('/once')).toHaveLength(1);
  });
});

describe('SSRF at delivery time', () => {
  let strict: Harness;

  beforeAll(async () => {
    strict = await startHarness({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' } });
  });
  afterAll(async () => {
    await strict?.close();
  });

  it('refuses a target that now resolves to a loopback address, without sending', async () => {
    const userId = randomUUID();
    const webhookId = randomUUID();
    // As if DNS changed after registration: the row holds a URL the guard refuses.
    await strict.db
      .insertInto('webhooks')
      .values({
        webhook_id: webhookId,
        user_id: userId,
        url: receiver.url('/rebound').replace('127.0.0.1', 'localhost'),
        secret: strict.secrets.encrypt(
          'whsec_' + Buffer.alloc(32, 7).toString('base64'),
          webhookId,
        ),
        event_types: ['*'],
        disabled_reason: null,
        disabled_at: null,
        failing_since: null,
        created_at: new Date(Date.now() - 1000),
      })
      .execute();
    await strict.publish(orderLifecycle(userId)[0]!);
    const row = await eventually(
      async () =>
        (await strict.db
          .selectFrom('webhook_logs')
          .selectAll()
          .where('webhook_id', '=', webhookId)
          .executeTakeFirst()) ?? false,
      'the refused attempt',
    );
    expect(row).toMatchObject({ status: 'failed', response_status: null });
    expect(row.error).toMatch(/loopback/);
    expect(receiver.at('/rebound')).toHaveLength(0);
  });
});
