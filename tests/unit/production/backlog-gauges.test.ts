/**
 * The backlog gauges' behaviour around their queries, with a stand-in database: how often
 * they query, and what a scrape shows when the query fails. (Their SQL against the real
 * Postgres: tests/integration/production/backlog-gauges.test.ts.)
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../../db/client';
import {
  registerOrderBacklogGauges,
  registerWebhookBacklogGauges,
} from '../../../src/observability/backlog-gauges';

/** A query builder whose every chain ends in `answer()`; counts the queries run. */
function fakeDb(answer: () => unknown) {
  let queries = 0;
  const chain: unknown = new Proxy(() => chain, {
    get(_target, property) {
      if (property === 'execute' || property === 'executeTakeFirstOrThrow') {
        return async () => {
          queries += 1;
          return answer();
        };
      }
      return () => chain;
    },
  });
  return { db: chain as Db, queries: () => queries };
}

function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('backlog gauges', () => {
  it('query once per interval however many scrapes arrive, then again after it', async () => {
    let now = 0;
    let validated = 3;
    const { db, queries } = fakeDb(() => [
      { status: 'validated', count: validated, oldest_seconds: 42 },
    ]);
    const registry = new Registry();
    registerOrderBacklogGauges(registry, db, { minIntervalMs: 10_000, now: () => now });

    expect(sample(await registry.metrics(), 'orders_in_status', 'status="validated"')).toBe(3);
    validated = 4;
    now = 9_999;
    const cached = await registry.metrics();
    expect(sample(cached, 'orders_in_status', 'status="validated"')).toBe(3);
    expect(queries()).toBe(1);
    now = 10_000;
    expect(sample(await registry.metrics(), 'orders_in_status', 'status="validated"')).toBe(4);
    expect(queries()).toBe(2);
  });

  it('report every in-flight status, zero when empty, and no terminal one', async () => {
    const { db } = fakeDb(() => [{ status: 'paid', count: 2, oldest_seconds: 930.5 }]);
    const registry = new Registry();
    registerOrderBacklogGauges(registry, db);
    const text = await registry.metrics();
    expect(sample(text, 'orders_oldest_in_status_seconds', 'status="paid"')).toBe(930.5);
    expect(sample(text, 'orders_in_status', 'status="pending"')).toBe(0);
    expect(sample(text, 'orders_oldest_in_status_seconds', 'status="shipped"')).toBe(0);
    for (const terminal of ['delivered', 'cancelled', 'failed']) {
      expect(sample(text, 'orders_in_status', `status="${terminal}"`), terminal).toBeUndefined();
    }
    expect(sample(text, 'backlog_gauges_up', 'family="orders"')).toBe(1);
  });

  it('keep the scrape working when the database fails: last values kept, up drops to 0', async () => {
    let failing = false;
    const { db } = fakeDb(() => {
      if (failing) throw new Error('connection refused');
      return { count: 7, oldest_seconds: 120 };
    });
    const registry = new Registry();
    registerWebhookBacklogGauges(registry, db, { minIntervalMs: 0 });
    expect(sample(await registry.metrics(), 'webhook_deliveries_pending')).toBe(7);

    failing = true;
    const text = await registry.metrics();
    expect(sample(text, 'webhook_deliveries_pending')).toBe(7);
    expect(sample(text, 'webhook_oldest_pending_seconds')).toBe(120);
    expect(sample(text, 'backlog_gauges_up', 'family="webhooks"')).toBe(0);

    failing = false;
    expect(sample(await registry.metrics(), 'backlog_gauges_up', 'family="webhooks"')).toBe(1);
  });

  it('share one up gauge between the two families on one registry', async () => {
    const orders = fakeDb(() => {
      throw new Error('down');
    });
    const webhooks = fakeDb(() => ({ count: 0, oldest_seconds: null }));
    const registry = new Registry();
    registerOrderBacklogGauges(registry, orders.db, { minIntervalMs: 0 });
    registerWebhookBacklogGauges(registry, webhooks.db, { minIntervalMs: 0 });
    const text = await registry.metrics();
    expect(sample(text, 'backlog_gauges_up', 'family="orders"')).toBe(0);
    expect(sample(text, 'backlog_gauges_up', 'family="webhooks"')).toBe(1);
    expect(sample(text, 'webhook_oldest_pending_seconds')).toBe(0);
  });
});
