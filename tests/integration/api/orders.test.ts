import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderWorkflowId } from '../../../src/contract/orders';
import { redisKeys } from '../../../src/contract/redis-keys';
import {
  CustomerIdKey,
  OrderStatusKey,
  OrderTotalKey,
} from '../../../src/contract/search-attributes';
import { createOrderCache } from '../../../api/services/order-cache';
import { createLogger } from '../../../src/logger';
import {
  call,
  quickUser,
  orderBody,
  placeOrder,
  PRODUCT_A,
  startApi,
  type Session,
  type TestApi,
} from './fixtures';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

const PROBLEM = 'urn:order-platform:problem:';
const get = (s: Session, id: string) =>
  call(api.app, 'GET', `/api/v1/orders/${id}`, { token: s.access, ip: s.ip });
const cancel = (s: Session, id: string) =>
  call(api.app, 'DELETE', `/api/v1/orders/${id}`, { token: s.access, ip: s.ip });
const setStatus = async (
  orderId: string,
  status: 'shipped' | 'delivered' | 'paid' | 'cancelled',
) => {
  await api.db
    .updateTable('orders')
    .set({ status, updated_at: new Date() })
    .where('order_id', '=', orderId)
    .execute();
  await api.redis.del(redisKeys.orderCache(orderId)); // what the worker does after every status change
};

describe('POST /api/v1/orders', () => {
  it('records the order, starts its workflow and answers 202 with the order and its Location', async () => {
    const user = await quickUser(api);
    const res = await call(api.app, 'POST', '/api/v1/orders', {
      token: user.access,
      ip: user.ip,
      body: orderBody(),
    });
    expect(res.status).toBe(202);
    const orderId = res.body.order_id as string;
    expect(res.headers.get('location')).toBe(`/api/v1/orders/${orderId}`);
    expect(res.body).toMatchObject({
      user_id: user.userId,
      status: 'pending',
      total_amount: '44.99',
      payment_method: 'credit_card',
      items: [
        { product_id: PRODUCT_A, quantity: 2, unit_price: '12.50', total_price: '25.00' },
        { quantity: 1, unit_price: '19.99', total_price: '19.99' },
      ],
    });
    const row = await api.db
      .selectFrom('orders')
      .select(['status', 'total_amount'])
      .where('order_id', '=', orderId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'pending', total_amount: '44.99' });

    const description = await api.temporal.workflow.getHandle(orderWorkflowId(orderId)).describe();
    expect(description.taskQueue).toBe(api.config.TEMPORAL_TASK_QUEUE);
    expect(description.type).toBe('orderWorkflow');
    expect(description.typedSearchAttributes.get(OrderStatusKey)).toBe('pending');
    expect(description.typedSearchAttributes.get(CustomerIdKey)).toBe(user.userId);
    expect(description.typedSearchAttributes.get(OrderTotalKey)).toBe(44.99);
    expect(await description.staticSummary()).toBe(`Order ${orderId} for 3 items, total 44.99`);
  });

  it('returns the same order and starts nothing for a repeated Idempotency-Key with the same body', async () => {
    const user = await quickUser(api);
    const key = `key-${randomUUID()}`;
    const post = (body: unknown) =>
      call(api.app, 'POST', '/api/v1/orders', {
        token: user.access,
        ip: user.ip,
        body,
        headers: { 'Idempotency-Key': key },
      });
    const first = await post(orderBody());
    // Same content, other formatting: price as a number, keys in another order.
    const { payment_method, items, shipping_address } = orderBody();
    const second = await post({
      payment_method,
      shipping_address,
      items: items.map((i) => ({ ...i, price: String(i.price) })),
    });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    const count = await api.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', user.userId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    const runs = await api.temporal.workflow.count(
      `WorkflowId = '${orderWorkflowId(first.body.order_id as string)}'`,
    );
    expect(runs.count).toBe(1);

    const other = await post(orderBody({ payment_method: 'paypal' }));
    expect(other.status).toBe(409);
    expect(other.body.type).toBe(`${PROBLEM}idempotency-key-conflict`);
  });

  it('creates one order for concurrent requests with the same Idempotency-Key', async () => {
    const user = await quickUser(api);
    const headers = { 'Idempotency-Key': `key-${randomUUID()}` };
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        call(api.app, 'POST', '/api/v1/orders', {
          token: user.access,
          ip: user.ip,
          body: orderBody(),
          headers,
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([202, 202, 202]);
    expect(new Set(results.map((r) => r.body.order_id)).size).toBe(1);
  });

  it('scopes Idempotency-Keys per user', async () => {
    const [a, b] = [await quickUser(api), await quickUser(api)];
    const headers = { 'Idempotency-Key': 'shared-key' };
    const ra = await call(api.app, 'POST', '/api/v1/orders', {
      token: a.access,
      ip: a.ip,
      body: orderBody(),
      headers,
    });
    const rb = await call(api.app, 'POST', '/api/v1/orders', {
      token: b.access,
      ip: b.ip,
      body: orderBody(),
      headers,
    });
    expect(ra.status).toBe(202);
    expect(rb.status).toBe(202);
    expect(rb.body.order_id).not.toBe(ra.body.order_id);
  });

  it('refuses malformed JSON (400), a bad body (422) and an oversized one (413) without recording anything', async () => {
    const user = await quickUser(api);
    const post = (body: string) =>
      call(api.app, 'POST', '/api/v1/orders', { token: user.access, ip: user.ip, body });
    expect((await post('{"items": [')).status).toBe(400);
    const invalid = await post(
      JSON.stringify(
        orderBody({ items: [{ product_id: PRODUCT_A, quantity: -1, price: '1.00' }] }),
      ),
    );
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors).toEqual([expect.objectContaining({ path: 'items.0.quantity' })]);
    const huge = await post(
      JSON.stringify(orderBody({ payment_method: 'x'.repeat(api.config.MAX_BODY_BYTES) })),
    );
    expect(huge.status).toBe(413);
    const count = await api.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', user.userId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });
});

describe('GET /api/v1/orders/{id}', () => {
  it('shows the owner the order with its items, status and events', async () => {
    const user = await quickUser(api);
    const orderId = await placeOrder(api.app, user);
    const res = await get(user, orderId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ order_id: orderId, status: 'pending', total_amount: '44.99' });
    expect(res.body.events).toEqual([
      expect.objectContaining({ event_type: 'order.created', created_by: user.userId }),
    ]);
  });

  it("answers 404 for another user's order, exactly as for one that does not exist", async () => {
    const [owner, stranger] = [await quickUser(api), await quickUser(api)];
    const orderId = await placeOrder(api.app, owner);
    await get(owner, orderId); // cached now: the cache must not leak it either
    const theirs = await get(stranger, orderId);
    const missing = await get(stranger, randomUUID());
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(theirs.body.type).toBe(missing.body.type);
  });

  it('lets an admin and a system caller read any order', async () => {
    const owner = await quickUser(api);
    const orderId = await placeOrder(api.app, owner);
    for (const staff of [await quickUser(api, 'admin'), await quickUser(api, 'system')]) {
      const res = await get(staff, orderId);
      expect(res.status).toBe(200);
      expect(res.body.user_id).toBe(owner.userId);
    }
  });

  it('caches the order in the order:{id} hash and never serves a status older than Postgres', async () => {
    const user = await quickUser(api);
    const orderId = await placeOrder(api.app, user);
    await get(user, orderId);
    const cached = await api.redis.hgetall(redisKeys.orderCache(orderId));
    expect(cached).toMatchObject({ order_id: orderId, status: 'pending', total_amount: '44.99' });
    expect(JSON.parse(cached.shipping_address!)).toMatchObject({ city: 'Springfield' });
    const ttl = await api.redis.ttl(redisKeys.orderCache(orderId));
    expect(ttl).toBeGreaterThan(1700);
    expect(ttl).toBeLessThanOrEqual(1800);

    await setStatus(orderId, 'paid');
    expect((await get(user, orderId)).body.status).toBe('paid');
  });

  it('drops a cache fill that raced with a status change', async () => {
    const user = await quickUser(api);
    const orderId = await placeOrder(api.app, user);
    const cache = createOrderCache(api.redis, createLogger('test', 'silent'));
    const token = await cache.beginFill(orderId);
    expect(token).toBeTruthy();
    // The status changes (and the worker deletes the key) after our Postgres read...
    await api.redis.del(redisKeys.orderCache(orderId));
    // ...so the stale read must not be written.
    await cache.commitFill(orderId, token!, {
      order_id: orderId,
      user_id: user.userId,
      status: 'pending',
    });
    expect(await api.redis.exists(redisKeys.orderCache(orderId))).toBe(0);
  });
});

describe('GET /api/v1/orders', () => {
  it("pages through the caller's orders newest first with an opaque cursor", async () => {
    const user = await quickUser(api);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await placeOrder(api.app, user));
    await placeOrder(api.app, await quickUser(api)); // someone else's
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await call(api.app, 'GET', `/api/v1/orders${query}`, {
        token: user.access,
        ip: user.ip,
      });
      expect(page.status).toBe(200);
      const data = page.body.data as Array<{ order_id: string; item_count: number }>;
      expect(data.length).toBeLessThanOrEqual(2);
      seen.push(...data.map((o) => o.order_id));
      cursor = page.body.next_cursor as string | null;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by status', async () => {
    const user = await quickUser(api);
    const [a, b] = [await placeOrder(api.app, user), await placeOrder(api.app, user)];
    await setStatus(a, 'shipped');
    const shipped = await call(api.app, 'GET', '/api/v1/orders?status=shipped', {
      token: user.access,
      ip: user.ip,
    });
    expect((shipped.body.data as Array<{ order_id: string }>).map((o) => o.order_id)).toEqual([a]);
    const pending = await call(api.app, 'GET', '/api/v1/orders?status=pending', {
      token: user.access,
      ip: user.ip,
    });
    expect((pending.body.data as Array<{ order_id: string }>).map((o) => o.order_id)).toEqual([b]);
  });

  it("lets an admin list anyone's orders by user_id, and refuses that to a user", async () => {
    const [owner, other] = [await quickUser(api), await quickUser(api)];
    const orderId = await placeOrder(api.app, owner);
    const admin = await quickUser(api, 'admin');
    const listed = await call(api.app, 'GET', `/api/v1/orders?user_id=${owner.userId}`, {
      token: admin.access,
      ip: admin.ip,
    });
    expect(listed.status).toBe(200);
    expect((listed.body.data as Array<{ order_id: string }>).map((o) => o.order_id)).toEqual([
      orderId,
    ]);
    const everyone = await call(api.app, 'GET', '/api/v1/orders?limit=100', {
      token: admin.access,
      ip: admin.ip,
    });
    expect((everyone.body.data as unknown[]).length).toBeGreaterThan(0);
    const refused = await call(api.app, 'GET', `/api/v1/orders?user_id=${owner.userId}`, {
      token: other.access,
      ip: other.ip,
    });
    expect(refused.status).toBe(403);
  });

  it('refuses a forged cursor with 400', async () => {
    const user = await quickUser(api);
    const res = await call(api.app, 'GET', '/api/v1/orders?cursor=bm90LWEtY3Vyc29y', {
      token: user.access,
      ip: user.ip,
    });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe(`${PROBLEM}bad-request`);
  });
});

describe('DELETE /api/v1/orders/{id}', () => {
  it('signals cancel to the workflow before shipping and answers 202', async () => {
    const user = await quickUser(api);
    const orderId = await placeOrder(api.app, user);
    const res = await cancel(user, orderId);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ order_id: orderId, status: 'pending', cancellation: 'requested' });
    const history = await api.temporal.workflow.getHandle(orderWorkflowId(orderId)).fetchHistory();
    const signal = history.events?.find((e) => e.workflowExecutionSignaledEventAttributes);
    expect(signal?.workflowExecutionSignaledEventAttributes?.signalName).toBe('cancel');
  });

  it('refuses with 409 once the order has shipped or ended', async () => {
    const user = await quickUser(api);
    for (const status of ['shipped', 'delivered', 'cancelled'] as const) {
      const orderId = await placeOrder(api.app, user);
      await setStatus(orderId, status);
      const res = await cancel(user, orderId);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        type: `${PROBLEM}order-not-cancellable`,
        order_status: status,
      });
    }
  });

  it("answers 404 for another user's order and lets an admin cancel it", async () => {
    const [owner, stranger] = [await quickUser(api), await quickUser(api)];
    const orderId = await placeOrder(api.app, owner);
    expect((await cancel(stranger, orderId)).status).toBe(404);
    expect((await cancel(await quickUser(api, 'admin'), orderId)).status).toBe(202);
  });
});

describe('GET /api/v1/products', () => {
  it('lists the catalogue with prices as two-place decimal strings', async () => {
    const sku = `TEST-${randomUUID()}`;
    await api.db
      .insertInto('products')
      .values({ sku, name: `Zz test ${sku}`, price: '7.5', stock: 4 })
      .execute();
    const res = await call(api.app, 'GET', '/api/v1/products');
    expect(res.status).toBe(200);
    const product = (res.body.data as Array<Record<string, unknown>>).find((p) => p.sku === sku);
    expect(product).toMatchObject({ price: '7.50', stock: 4 });
  });
});
