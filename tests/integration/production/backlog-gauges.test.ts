/**
 * The gauges behind the stuck-order and webhook-backlog alerts (src/observability), against
 * the real Postgres: what they report for an order nobody moved for an hour and a webhook
 * delivery pending for two. (Throttling and failures: tests/unit/production.)
 */
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  registerOrderBacklogGauges,
  registerWebhookBacklogGauges,
} from '../../../src/observability/backlog-gauges';
import { createCustomer, realClients } from '../../support/services';

/** The value of one series in Prometheus' text format (undefined when absent). */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('backlog gauges', () => {
  const clients = realClients();
  const db = clients.db;
  let userId = '';
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    userId = await createCustomer(db);
  });
  afterAll(async () => {
    for (const undo of cleanup.reverse()) await undo();
    await clients.close();
  });

  async function stuckOrder(status: 'validated' | 'paid', minutesAgo: number): Promise<string> {
    const orderId = randomUUID();
    const at = new Date(Date.now() - minutesAgo * 60_000).toISOString();
    await db
      .insertInto('orders')
      .values({
        order_id: orderId,
        user_id: userId,
        status,
        items: [],
        total_amount: '10.00',
        shipping_address: { street: '1 Test St' },
        payment_method: 'card',
        created_at: at,
        updated_at: at,
        metadata: { test: 'backlog-gauges' },
      })
      .execute();
    cleanup.push(() => db.deleteFrom('orders').where('order_id', '=', orderId).execute());
    return orderId;
  }

  it('reports an order untouched for an hour as the oldest in its status', async () => {
    await stuckOrder('validated', 60);
    const registry = new Registry();
    registerOrderBacklogGauges(registry, db, { minIntervalMs: 0 });
    const text = await registry.metrics();

    expect(
      sample(text, 'orders_oldest_in_status_seconds', 'status="validated"'),
    ).toBeGreaterThanOrEqual(3600);
    expect(sample(text, 'orders_in_status', 'status="validated"')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'backlog_gauges_up', 'family="orders"')).toBe(1);
    // Every in-flight status has a series (0 when empty); terminal ones have none.
    for (const status of ['pending', 'validated', 'processing', 'paid', 'fulfilled', 'shipped']) {
      expect(sample(text, 'orders_in_status', `status="${status}"`), status).toBeDefined();
    }
    expect(sample(text, 'orders_in_status', 'status="delivered"')).toBeUndefined();
  });

  it('counts pending webhook deliveries and the age of the oldest', async () => {
    const webhook = await db
      .insertInto('webhooks')
      .values({
        user_id: userId,
        url: 'https://hooks.example.com/orders',
        secret: 'v1.test',
        event_types: ['order.created'],
      })
      .returning('webhook_id')
      .executeTakeFirstOrThrow();
    cleanup.push(() =>
      db.deleteFrom('webhooks').where('webhook_id', '=', webhook.webhook_id).execute(),
    );
    await db
      .insertInto('webhook_deliveries')
      .values({
        webhook_id: webhook.webhook_id,
        event_id: randomUUID(),
        order_id: null,
        event_type: 'order.created',
        workflow_id: `webhook-test-${randomUUID()}`,
        created_at: new Date(Date.now() - 2 * 3600_000).toISOString(),
      })
      .execute();

    const registry = new Registry();
    registerWebhookBacklogGauges(registry, db, { minIntervalMs: 0 });
    const text = await registry.metrics();
    expect(sample(text, 'webhook_deliveries_pending')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'webhook_oldest_pending_seconds')).toBeGreaterThanOrEqual(7200);
    expect(sample(text, 'backlog_gauges_up', 'family="webhooks"')).toBe(1);
  });
});
