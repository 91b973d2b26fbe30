import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { clientIp } from '../../../api/client-ip';
import type { AppEnv } from '../../../api/env';
import { BadRequestError } from '../../../api/errors';
import { decodeCursor, encodeCursor } from '../../../api/services/order-queries';
import { jsonb } from '../../../db/order-rows';
import { orderFromRow } from '../../../api/services/order-views';
import { orderSummary } from '../../../api/services/workflows';

async function ipOf(headers: Record<string, string>, peer?: string) {
  const app = new Hono<AppEnv>();
  app.get('/', (c) => c.text(clientIp(c)));
  const env = peer ? { incoming: { socket: { remoteAddress: peer } } } : {};
  const res = await app.request('/', { headers }, env as AppEnv['Bindings']);
  return res.text();
}

describe('client address', () => {
  it('trusts the right-most forwarded address only from a private or loopback peer', async () => {
    const xff = { 'X-Forwarded-For': '6.6.6.6, 203.0.113.9' };
    expect(await ipOf(xff, '127.0.0.1')).toBe('203.0.113.9');
    expect(await ipOf(xff, '10.1.2.3')).toBe('203.0.113.9');
    expect(await ipOf(xff, '198.51.100.20')).toBe('198.51.100.20');
    expect(await ipOf({ 'X-Forwarded-For': 'not-an-ip' }, '127.0.0.1')).toBe('127.0.0.1');
    expect(await ipOf({ 'X-Real-IP': '203.0.113.10' }, '::1')).toBe('203.0.113.10');
  });
});

describe('pagination cursor', () => {
  it('round-trips, and refuses anything it did not produce', () => {
    const cursor = { t: '2026-11-26 12:00:00.123456+00', id: randomUUID() };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    for (const bad of [
      '',
      'garbage',
      Buffer.from('{"t":"yesterday","id":"x"}').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad)).toThrow(BadRequestError);
    }
  });
});

describe('order views', () => {
  const row = {
    order_id: randomUUID(),
    user_id: randomUUID(),
    status: 'pending' as const,
    total_amount: '44.99',
    payment_method: 'card',
    created_at: new Date('2026-11-26T10:00:00.000Z'),
    updated_at: new Date('2026-11-26T10:00:00.000Z'),
    items: [{ product_id: randomUUID(), quantity: 3, price: '12.5' }],
    shipping_address: { zip: '1', country: 'US', city: 'C', state: 'S', street: 'St' },
  };

  it('renders money as two-place strings and line totals in exact cents', () => {
    const view = orderFromRow(row);
    expect(view.items[0]).toMatchObject({ unit_price: '12.50', total_price: '37.50' });
    expect(Object.keys(view.shipping_address)).toEqual([
      'street',
      'city',
      'state',
      'zip',
      'country',
    ]);
  });

  it('reads JSONB stored either as an object or as a JSON string', () => {
    expect(
      orderFromRow({
        ...row,
        items: JSON.stringify(row.items),
        shipping_address: JSON.stringify(row.shipping_address),
      }),
    ).toEqual(orderFromRow(row));
    expect(jsonb<{ a: number }>('{"a":1}')).toEqual({ a: 1 });
  });

  it('summarises a workflow for the Temporal UI', () => {
    const summary = orderSummary({
      orderId: 'o-1',
      userId: 'u',
      items: [{ productId: 'p', quantity: 3, unitPriceCents: 1250 }],
      totalCents: 3750,
      shippingAddress: row.shipping_address,
      paymentMethod: 'card',
      createdAt: '',
    });
    expect(summary).toBe('Order o-1 for 3 items, total 37.50');
  });
});
