/**
 * The worker's sweep for stranded orders, on the stack's Temporal, Postgres, Kafka and Redis:
 * an order the API committed but never started is announced and failed, once; one whose saga
 * exists (here: started on a task queue nobody polls, so it stays pending) and one that is
 * merely young are left alone. Records the ending's history for tests/replay with
 * RECORD_HISTORIES=1.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { orderWorkflowId } from '../../../src/contract/orders';
import { redisKeys } from '../../../src/contract/redis-keys';
import { createOrderEventPublisher, type OrderEventPublisher } from '../../../src/kafka';
import { createActivityDeps } from '../../../src/worker/deps';
import {
  startStrandedOrderSweep,
  STRANDED_REASON,
  type StrandedOrderSweep,
} from '../../../src/worker/stranded-orders';
import { createLogger } from '../../../src/logger';
import { insertNewOrder } from '../../../db/queries/orders';
import { ORDER_WORKFLOW_TYPE } from '../../../workflows/definitions';
import type { OrderWorkflowInput } from '../../../src/domain/order';
import { anOrder } from '../../support/orders';
import { temporalCliPath } from '../../support/temporal';
import {
  collectKafkaEvents,
  config,
  createCustomer,
  createProduct,
  eventually,
  realClients,
} from '../../support/services';
import { startInProcessWorker, type InProcessWorker } from '../../support/worker';

const clients = realClients();
const taskQueue = `stranded-test-${randomUUID()}`;
/** Younger than this is not stranded yet; the stack's own worker waits far longer (300 s). */
const AFTER_MS = 5_000;
let client: Client;
let worker: InProcessWorker;
let publisher: OrderEventPublisher;
let sweep: StrandedOrderSweep;
let kafkaEvents: Awaited<ReturnType<typeof collectKafkaEvents>>;

beforeAll(async () => {
  publisher = await createOrderEventPublisher(clients.kafka);
  worker = await startInProcessWorker(
    createActivityDeps(config, clients.db, clients.redis, publisher),
    taskQueue,
  );
  client = worker.client;
  sweep = startStrandedOrderSweep(clients.db, client, createLogger('test', 'silent'), {
    taskQueue,
    afterMs: AFTER_MS,
    intervalMs: 0,
  });
  kafkaEvents = await collectKafkaEvents(clients.kafka);
});

afterAll(async () => {
  await sweep?.stop();
  await worker?.stop();
  await kafkaEvents?.stop();
  await publisher?.disconnect();
  await clients.close();
});

/** An order committed as the API does, `ageMs` old, with no workflow started. */
async function committedOrder(ageMs: number): Promise<OrderWorkflowInput> {
  const userId = await createCustomer(clients.db);
  const productId = await createProduct(clients.db, 10, '12.50');
  const input = anOrder({
    userId,
    items: [{ productId, quantity: 2, unitPriceCents: 1250 }],
    createdAt: new Date(Date.now() - ageMs).toISOString(),
  });
  await insertNewOrder(clients.db, input);
  return input;
}

const statusOf = async (orderId: string) =>
  (
    await clients.db
      .selectFrom('orders')
      .select('status')
      .where('order_id', '=', orderId)
      .executeTakeFirstOrThrow()
  ).status;

describe('stranded-order sweep', () => {
  it('announces and fails, once, an order that was committed but never started', async () => {
    const order = await committedOrder(2 * AFTER_MS);

    expect(await sweep.sweepAll()).toContain(order.orderId);
    await client.workflow.getHandle(orderWorkflowId(order.orderId)).result();
    if (process.env.RECORD_HISTORIES) {
      const json = execFileSync(temporalCliPath(), [
        ...['workflow', 'show', '--address', config.TEMPORAL_ADDRESS],
        ...['--workflow-id', orderWorkflowId(order.orderId), '--output', 'json'],
      ]);
      await writeFile(new URL('../../replay/histories/stranded-order.json', import.meta.url), json);
    }

    expect(await statusOf(order.orderId)).toBe('failed');
    const events = await clients.db
      .selectFrom('order_events')
      .select(['event_type', 'event_data'])
      .where('order_id', '=', order.orderId)
      .orderBy('created_at')
      .execute();
    expect(events.map((e) => e.event_type)).toEqual(['order.created', 'order.failed']);
    expect(events[1]?.event_data).toMatchObject({
      status: 'failed',
      failed_step: 'start',
      reason: STRANDED_REASON,
      refunded: false,
    });
    // Nothing was charged.
    const payments = await clients.db
      .selectFrom('payments')
      .select('payment_id')
      .where('order_id', '=', order.orderId)
      .execute();
    expect(payments).toEqual([]);
    // The customer's socket sees it created, then failed; Kafka's consumers see both.
    const live = await clients.redis.xrange(redisKeys.userStatusStream(order.userId), '-', '+');
    expect(live.map(([, fields]) => (JSON.parse(fields[1]!) as { status: string }).status)).toEqual(
      ['pending', 'failed'],
    );
    const onKafka = await eventually(
      async () => {
        const types = kafkaEvents.forOrder(order.orderId).map((e) => e.event_type);
        return types.length >= 2 && types;
      },
      30_000,
      'both events on Kafka',
    );
    // Two topics: a consumer sees them in either order (Postgres above has the order).
    expect([...onKafka].sort()).toEqual(['order.created', 'order.failed']);

    // A second sweep (or another worker's) finds its workflow and does nothing more.
    const again = await sweep.sweepAll();
    expect(again).not.toContain(order.orderId);
  });

  it('leaves alone an old pending order whose saga exists, and a young one', async () => {
    const slow = await committedOrder(2 * AFTER_MS);
    // Its saga is running but makes no progress: no worker polls this queue.
    const handle = await client.workflow.start(ORDER_WORKFLOW_TYPE, {
      taskQueue: `nobody-${randomUUID()}`,
      workflowId: orderWorkflowId(slow.orderId),
      args: [slow],
    });
    const young = await committedOrder(0);

    const ended = await sweep.sweepAll();
    expect(ended).not.toContain(slow.orderId);
    expect(ended).not.toContain(young.orderId);
    expect(await statusOf(slow.orderId)).toBe('pending');
    expect(await statusOf(young.orderId)).toBe('pending');
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test over');
  });
});
