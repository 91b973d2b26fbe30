/**
 * Order rows as Postgres returns them, and what they stand for in the domain: the workflow
 * input an order was (or should have been) started with. Shared by the API's views and the
 * worker's stranded-order sweep.
 */
import type { OrderItemJson } from './schema';
import { parseMoney } from '../src/domain/money';
import type { OrderWorkflowInput, ShippingAddress } from '../src/domain/order';
import type { OrderStatus } from '../src/contract/orders';

/** The columns an `OrderRow` is selected with. */
export const ORDER_ROW_COLUMNS = [
  'order_id',
  'user_id',
  'status',
  'items',
  'total_amount',
  'shipping_address',
  'payment_method',
  'created_at',
  'updated_at',
] as const;

export interface OrderRow {
  order_id: string;
  user_id: string;
  status: OrderStatus;
  items: OrderItemJson[] | string;
  total_amount: string;
  shipping_address: Record<string, string> | string;
  payment_method: string;
  created_at: Date;
  updated_at: Date;
}

export interface OrderEventRow {
  event_id: string;
  event_type: string;
  event_data: Record<string, unknown> | string;
  created_at: Date;
  created_by: string | null;
}

/**
 * A JSONB value as read back. Writers that bind `JSON.stringify(x)` to a jsonb parameter make
 * postgres.js encode it once more, storing a JSON string instead of the object; reads accept
 * both forms so either kind of row renders the same.
 */
export function jsonb<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

/** A fixed key order, whatever order Postgres' jsonb keeps them in. */
export function address(a: Record<string, string>): ShippingAddress {
  return {
    street: a.street ?? '',
    city: a.city ?? '',
    state: a.state ?? '',
    zip: a.zip ?? '',
    country: a.country ?? '',
  };
}

/** The input the order's workflow was (or should have been) started with. */
export function workflowInputFromRow(row: OrderRow): OrderWorkflowInput {
  return {
    orderId: row.order_id,
    userId: row.user_id,
    items: jsonb(row.items).map((i) => ({
      productId: i.product_id,
      quantity: i.quantity,
      unitPriceCents: parseMoney(i.price),
    })),
    totalCents: parseMoney(row.total_amount),
    shippingAddress: address(jsonb(row.shipping_address)),
    paymentMethod: row.payment_method,
    createdAt: row.created_at.toISOString(),
  };
}
