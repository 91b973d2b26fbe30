/**
 * Typed keys of the custom search attributes operators filter by in the Temporal Web UI
 * (`OrderStatus = "failed"`, `CustomerId = "<uuid>"`, `OrderTotal > 100`). The stack launcher
 * registers them; the API sets them at start; the workflow upserts them at every step.
 * OrderTotal is a Double because that is what Temporal can range-filter; it is for search
 * only, never for money arithmetic.
 */
import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributePair,
} from '@temporalio/common';
import type { OrderStatus } from './orders';

export const OrderStatusKey = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const OrderTotalKey = defineSearchAttributeKey('OrderTotal', SearchAttributeType.DOUBLE);

/** What an order's workflow is started with, so operators can find it from its first moment. */
export function orderSearchAttributes(
  order: { userId: string; totalCents: number },
  status: OrderStatus,
): SearchAttributePair[] {
  return [
    { key: OrderStatusKey, value: status },
    { key: CustomerIdKey, value: order.userId },
    { key: OrderTotalKey, value: order.totalCents / 100 },
  ];
}
