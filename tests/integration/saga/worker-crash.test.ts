/**
 * A worker process killed (SIGKILL) in the middle of sagas: another worker finishes them, and
 * nothing is charged, reserved or recorded twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { orderWorkflowId } from '../../../src/contract/orders';
import { redisKeys } from '../../../src/contract/redis-keys';
import { connectTemporalClient } from '../../../src/temporal/connection';
import { insertNewOrder } from '../../../db/queries/orders';
import { anOrder } from '../../support/orders';
import {
  config,
  createCustomer,
  createProduct,
  eventually,
  realClients,
} from '../../support/services';

const clients = realClients();
const taskQueue = `crash-test-${randomUUID()}`;
const workers: ChildProcess[] = [];
let client: Client | undefined;

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/worker.ts'], {
    env: {
      ...process.env,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SIM_LATENCY_MS: '150',
      SIM_DELIVERY_DELAY_MS: '100',
      LOG_LEVEL: 'warn',
      // The stack's own worker may hold the default metrics ports.
      WORKER_METRICS_PORT: '0',
      WORKER_SDK_METRICS_PORT: '0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  workers.push(child);
  return child;
}

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await client?.connection.close();
  await clients.close();
});

describe('a worker killed mid-saga', () => {
  it('leaves every order finished exactly once in effect', async () => {
    client = await connectTemporalClient(config);
    const userId = await createCustomer(clients.db);
    const productId = await createProduct(clients.db, 100, '5.00');
    const orders = Array.from({ length: 6 }, () =>
      anOrder({ userId, items: [{ productId, quantity: 3, unitPriceCents: 500 }] }),
    );
    for (const order of orders) {
      await insertNewOrder(clients.db, order);
      await client.workflow.start('orderWorkflow', {
        taskQueue,
        workflowId: orderWorkflowId(order.orderId),
        args: [order],
      });
    }

    const first = startWorker();
    // Kill it once some orders are mid-way (charged but not finished).
    await eventually(
      async () => {
        const paid = await clients.db
          .selectFrom('orders')
          .select('order_id')
          .where(
            'order_id',
            'in',
            orders.map((o) => o.orderId),
          )
          .where('status', 'in', ['paid', 'processing'])
          .execute();
        return paid.length > 0;
      },
      60_000,
      'an order mid-saga',
    );
    first.kill('SIGKILL');
    startWorker();

    const states = await Promise.all(
      orders.map((o) => client!.workflow.getHandle(orderWorkflowId(o.orderId)).result()),
    );
    expect(states.map((s) => s.status)).toEqual(orders.map(() => 'delivered'));

    const ids = orders.map((o) => o.orderId);
    const payments = await clients.db
      .selectFrom('payments')
      .select('order_id')
      .where('order_id', 'in', ids)
      .execute();
    expect(payments).toHaveLength(orders.length);
    const charges = await clients.redis.hmget(
      'payment-sim:ledger',
      ...ids.map((id) => `${orderWorkflowId(id)}:charge`),
    );
    expect(charges.every((c) => c !== null)).toBe(true);

    const product = await clients.db
      .selectFrom('products')
      .select('stock')
      .where('product_id', '=', productId)
      .executeTakeFirstOrThrow();
    expect(product.stock).toBe(100 - 3 * orders.length);

    const events = await clients.db
      .selectFrom('order_events')
      .select(['order_id', 'event_type'])
      .where('order_id', 'in', ids)
      .execute();
    expect(events).toHaveLength(orders.length * 7);

    const live = await clients.redis.xrange(redisKeys.userStatusStream(userId), '-', '+');
    const eventIds = live.map(
      ([, fields]) => (JSON.parse(fields[1]!) as { event_id: string }).event_id,
    );
    expect(new Set(eventIds).size).toBe(eventIds.length);
    expect(eventIds).toHaveLength(orders.length * 7);
  }, 180_000);
});
