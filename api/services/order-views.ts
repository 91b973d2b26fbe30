/**
 * How orders look on the wire, built from Postgres rows, from a new order's workflow input,
 * or from the Redis cache hash. Money stays a two-place decimal string throughout.
 */
import type { z } from '@hono/zod-openapi';
import { address, jsonb, type OrderEventRow, type OrderRow } from '../../db/order-rows';
import { formatMoney, parseMoney } from '../../src/domain/money';
import type { OrderWorkflowInput } from '../../src/domain/order';
import type { OrderStatus } from '../../src/contract/orders';
import type {
  OrderDetailSchema,
  OrderEventSchema,
  OrderSchema,
  OrderSummarySchema,
} from '../schemas';

export type OrderView = z.infer<typeof OrderSchema>;
export type OrderDetailView = z.infer<typeof OrderDetailSchema>;
export type OrderEventView = z.infer<typeof OrderEventSchema>;
export type OrderSummaryView = z.infer<typeof OrderSummarySchema>;
type ItemView = OrderView['items'][number];

function item(productId: string, quantity: number, unitCents: number): ItemView {
  return {
    product_id: productId,
    quantity,
    unit_price: formatMoney(unitCents),
    total_price: formatMoney(unitCents * quantity),
  };
}

export function orderFromInput(input: OrderWorkflowInput): OrderView {
  return {
    order_id: input.orderId,
    user_id: input.userId,
    status: 'pending',
    total_amount: formatMoney(input.totalCents),
    items: input.items.map((i) => item(i.productId, i.quantity, i.unitPriceCents)),
    shipping_address: address(input.shippingAddress),
    payment_method: input.paymentMethod,
    created_at: input.createdAt,
    updated_at: input.createdAt,
  };
}

export function orderFromRow(row: OrderRow): OrderView {
  return {
    order_id: row.order_id,
    user_id: row.user_id,
    status: row.status,
    total_amount: formatMoney(parseMoney(row.total_amount)),
    items: jsonb(row.items).map((i) => item(i.product_id, i.quantity, parseMoney(i.price))),
    shipping_address: address(jsonb(row.shipping_address)),
    payment_method: row.payment_method,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function eventFromRow(row: OrderEventRow): OrderEventView {
  return {
    event_id: row.event_id,
    event_type: row.event_type,
    event_data: jsonb(row.event_data),
    created_at: row.created_at.toISOString(),
    created_by: row.created_by,
  };
}

export function summaryFromRow(row: OrderRow): OrderSummaryView {
  return {
    order_id: row.order_id,
    user_id: row.user_id,
    status: row.status,
    total_amount: formatMoney(parseMoney(row.total_amount)),
    item_count: jsonb(row.items).reduce((n, i) => n + i.quantity, 0),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

// ---- the Redis hash (seed 7.3): one field per order field, objects as JSON -----------------
export function detailToCache(d: OrderDetailView): Record<string, string> {
  return {
    order_id: d.order_id,
    user_id: d.user_id,
    status: d.status,
    total_amount: d.total_amount,
    payment_method: d.payment_method,
    created_at: d.created_at,
    updated_at: d.updated_at,
    items: JSON.stringify(d.items),
    shipping_address: JSON.stringify(d.shipping_address),
    events: JSON.stringify(d.events),
  };
}

export function detailFromCache(f: Record<string, string>): OrderDetailView {
  return {
    order_id: f.order_id ?? '',
    user_id: f.user_id ?? '',
    status: (f.status ?? 'pending') as OrderStatus,
    total_amount: f.total_amount ?? '0.00',
    payment_method: f.payment_method ?? '',
    created_at: f.created_at ?? '',
    updated_at: f.updated_at ?? '',
    items: JSON.parse(f.items ?? '[]') as ItemView[],
    shipping_address: address(JSON.parse(f.shipping_address ?? '{}') as Record<string, string>),
    events: JSON.parse(f.events ?? '[]') as OrderEventView[],
  };
}
