/**
 * The saga with its real side effects: Postgres, Kafka and Redis, on the stack's Temporal
 * server, with an in-process worker on a task queue of its own.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { orderWorkflowId } from '../../../src/contract/orders';
import { redisKeys } from '../../../src/contract/redis-keys';
import { createOrderEventPublisher, type OrderEventPublisher } from '../../../src/kafka';
import { createActivityDeps } from '../../../src/worker/deps';
import { startDeliveryScanner, type DeliveryScanner } from '../../../src/worker/delivery-scans';
import { createLogger } from '../../../src/logger';
import { insertNewOrder } from '../../../db/queries/orders';
import { createActivities, type ActivityDeps } from '../../../activities';
import { cancelSignal } from '../../../workflows/definitions';
import { anOrder } from '../../support/orders';
import {
  collectKafkaEvents,
  config,
  createCustomer,
  createProduct,
  eventually,
  realClients,
} from '../../support/services';
import { startInProcessWorker, type InProcessWorker } from '../../support/worker';
import type { OrderWorkflowInput } from '../../../src/domain/order';

const clients = realClients();
const taskQueue = `saga-test-${randomUUID()}`;
let client: Client;
let worker: InProcessWorker;
let publisher: OrderEventPublisher;
let deps: ActivityDeps;
let scanner: DeliveryScanner;
let kafkaEvents: Awaited<ReturnType<typeof collectKafkaEvents>>;

beforeAll(async () => {
  const testConfig = { ...config, SIM_DELIVERY_DELAY_MS: 50 };
  publisher = await createOrderEventPublisher(clients.kafka);
  const base = createActivityDeps(testConfig, clients.db, clients.redis, publisher);
  // Slow notifications widen the window between reservation and fulfilment, where a
  // cancel is still honoured.
  const slowNotifier = {
    send: async (message: Parameters<typeof base.notifier.send>[0]) => {
      await new Promise((r) => setTimeout(r, 300));
      return base.notifier.send(message);
    },
  };
  deps = { ...base, notifier: slowNotifier };
  worker = await startInProcessWorker(deps, taskQueue);
  client = worker.client;
  scanner = startDeliveryScanner(clients.redis, client, createLogger('test', 'warn'), {
    intervalMs: 25,
  });
  kafkaEvents = await collectKafkaEvents(clients.kafka);
});

afterAll(async () => {
  await scanner?.stop();
  await worker?.stop();
  await kafkaEvents?.stop();
  await publisher?.disconnect();
  await clients.close();
});

async function placeOrder(
  overrides: Partial<OrderWorkflowInput> = {},
): Promise<OrderWorkflowInput> {
  const userId = await createCustomer(clients.db);
  const productId = await createProduct(clients.db, 10, '12.50');
  const input = anOrder({
    userId,
    items: [{ productId, quantity: 2, unitPriceCents: 1250 }],
    ...overrides,
  });
  await insertNewOrder(clients.db, input);
  await client.workflow.start('orderWorkflow', {
    taskQueue,
    workflowId: orderWorkflowId(input.orderId),
    args: [input],
  });
  return input;
}

const result = (orderId: string) => client.workflow.getHandle(orderWorkflowId(orderId)).result();

async function statusesInPostgres(orderId: string) {
  const events = await clients.db
    .selectFrom('order_events')
    .select(['event_id', 'event_type'])
    .where('order_id', '=', orderId)
    .orderBy('created_at')
    .execute();
  return events;
}

async function redisChanges(userId: string) {
  const entries = await clients.redis.xrange(redisKeys.userStatusStream(userId), '-', '+');
  return entries.map(
    ([, fields]) =>
      JSON.parse(fields[1]!) as { event_id: string; status: string; order_id: string },
  );
}

describe('order saga with real Postgres, Kafka and Redis', () => {
  it('lands every status change of a delivered order in all three, once, with matching ids', async () => {
    const order = await placeOrder();
    expect((await result(order.orderId)).status).toBe('delivered');

    const row = await clients.db
      .selectFrom('orders')
      .selectAll()
      .where('order_id', '=', order.orderId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('delivered');

    const pg = await statusesInPostgres(order.orderId);
    expect(pg.map((e) => e.event_type)).toEqual([
      'order.created',
      'order.validated',
      'order.payment_processed',
      'order.inventory_reserved',
      'order.fulfilled',
      'order.shipped',
      'order.delivered',
    ]);

    const live = await redisChanges(order.userId);
    expect(live.map((m) => m.status)).toEqual([
      'pending',
      'validated',
      'paid',
      'processing',
      'fulfilled',
      'shipped',
      'delivered',
    ]);
    expect(live.map((m) => m.event_id)).toEqual(pg.map((e) => e.event_id));

    const topics = [
      'order.created',
      'order.validated',
      'order.payment_processed',
      'order.fulfilled',
      'order.shipped',
      'order.delivered',
    ];
    const kafka = await eventually(
      async () => {
        const seen = kafkaEvents.forOrder(order.orderId);
        return seen.length >= topics.length && seen;
      },
      20_000,
      'kafka events',
    );
    expect(kafka.map((e) => e.event_type).sort()).toEqual([...topics].sort());
    for (const event of kafka)
      expect(pg.find((e) => e.event_type === event.event_type)?.event_id).toBe(event.event_id);

    const sent = await clients.db
      .selectFrom('notifications')
      .select('template')
      .where('order_id', '=', order.orderId)
      .execute();
    expect(sent.map((n) => n.template).sort()).toEqual([
      'order_confirmation',
      'order_delivered',
      'order_shipped',
    ]);
  });

  it('fails a declined order without ever capturing a payment', async () => {
    const order = await placeOrder({ paymentMethod: 'card_declined' });
    const state = await result(order.orderId);
    expect(state.status).toBe('failed');
    expect(state.failure?.type).toBe('PaymentDeclined');
    const payments = await clients.db
      .selectFrom('payments')
      .selectAll()
      .where('order_id', '=', order.orderId)
      .execute();
    expect(payments).toEqual([]);
    expect((await statusesInPostgres(order.orderId)).map((e) => e.event_type)).toContain(
      'order.failed',
    );
  });

  it('refunds a cancelled order and puts its stock back', async () => {
    const order = await placeOrder();
    const productId = order.items[0]!.productId;
    await eventually(
      async () => {
        const row = await clients.db
          .selectFrom('orders')
          .select('status')
          .where('order_id', '=', order.orderId)
          .executeTakeFirst();
        return row?.status === 'processing';
      },
      20_000,
      'reservation',
    );
    await client.workflow
      .getHandle(orderWorkflowId(order.orderId))
      .signal(cancelSignal, { reason: 'test', requestedBy: order.userId });
    expect((await result(order.orderId)).status).toBe('cancelled');

    const payment = await clients.db
      .selectFrom('payments')
      .selectAll()
      .where('order_id', '=', order.orderId)
      .executeTakeFirstOrThrow();
    expect(payment.status).toBe('refunded');
    const product = await clients.db
      .selectFrom('products')
      .select('stock')
      .where('product_id', '=', productId)
      .executeTakeFirstOrThrow();
    expect(product.stock).toBe(10);
    const cancelled = await eventually(
      async () =>
        kafkaEvents.forOrder(order.orderId).find((e) => e.event_type === 'order.cancelled'),
      20_000,
      'order_cancelled',
    );
    expect(cancelled).toMatchObject({ refunded: true, reason: 'test' });
  });

  it('charges, reserves and records once when an activity runs twice', async () => {
    const userId = await createCustomer(clients.db);
    const productId = await createProduct(clients.db, 5, '12.50');
    const input = anOrder({ userId, items: [{ productId, quantity: 2, unitPriceCents: 1250 }] });
    await insertNewOrder(clients.db, input);
    const activities = createActivities(deps);

    const first = await activities.chargePayment(input);
    const second = await activities.chargePayment(input);
    expect(second).toEqual(first);
    await activities.reserveInventory(input);
    await activities.reserveInventory(input);
    await activities.refundPayment(input, 'test');
    await activities.refundPayment(input, 'test');

    const payments = await clients.db
      .selectFrom('payments')
      .selectAll()
      .where('order_id', '=', input.orderId)
      .execute();
    expect(payments).toHaveLength(1);
    expect(payments[0]!.status).toBe('refunded');
    const product = await clients.db
      .selectFrom('products')
      .select('stock')
      .where('product_id', '=', productId)
      .executeTakeFirstOrThrow();
    expect(product.stock).toBe(3);
    const events = await statusesInPostgres(input.orderId);
    expect(events.map((e) => e.event_type)).toEqual([
      'order.created',
      'order.payment_processed',
      'order.inventory_reserved',
      'order.payment_refunded',
    ]);
    expect((await redisChanges(userId)).map((m) => m.status)).toEqual(['paid', 'processing']);
  });

  it('never oversells when orders race for the last units', async () => {
    const productId = await createProduct(clients.db, 3, '12.50');
    const userId = await createCustomer(clients.db);
    const activities = createActivities(deps);
    const orders = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const input = anOrder({
          userId,
          items: [{ productId, quantity: 1, unitPriceCents: 1250 }],
        });
        await insertNewOrder(clients.db, input);
        return input;
      }),
    );
    const outcomes = await Promise.allSettled(orders.map((o) => activities.reserveInventory(o)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(3);
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected.every((r) => (r.reason as { type?: string }).type === 'OutOfStock')).toBe(true);
    const product = await clients.db
      .selectFrom('products')
      .select('stock')
      .where('product_id', '=', productId)
      .executeTakeFirstOrThrow();
    expect(product.stock).toBe(0);
  });
});
