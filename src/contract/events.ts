/**
 * The Kafka event schemas (the seed's section 4.2), shared by the producer (worker
 * activities) and every consumer (webhook dispatcher, tests). Validated on produce and on
 * consume. Every event carries a unique, deterministic `event_id` (duplicates from retries
 * carry the same id, so consumers can dedupe) and `occurred_at`; the Kafka message key is the
 * order id, which keeps the events of one order in order.
 */
import { z } from 'zod';
import { EVENT_TYPES } from './topics';
import { ORDER_STATUSES } from './orders';
import { shippingAddress } from '../domain/order';

const base = {
  event_id: z.uuid(),
  event_type: z.enum(EVENT_TYPES),
  order_id: z.uuid(),
  user_id: z.uuid(),
  status: z.enum(ORDER_STATUSES),
  occurred_at: z.iso.datetime({ offset: true }),
};
const money = z.string().regex(/^\d+\.\d{2}$/);

export const orderCreatedEvent = z.object({
  ...base,
  event_type: z.literal('order.created'),
  items: z.array(z.object({ product_id: z.uuid(), quantity: z.number().int(), price: money })),
  total_amount: money,
  shipping_address: shippingAddress,
  payment_method: z.string(),
  created_at: z.iso.datetime({ offset: true }),
});

export const orderValidatedEvent = z.object({
  ...base,
  event_type: z.literal('order.validated'),
  validation_result: z.object({
    inventory_check: z.boolean(),
    pricing_check: z.boolean(),
    customer_check: z.boolean(),
  }),
  validated_at: z.iso.datetime({ offset: true }),
});

export const orderPaymentProcessedEvent = z.object({
  ...base,
  event_type: z.literal('order.payment_processed'),
  payment_id: z.string(),
  amount: money,
  payment_method: z.string(),
  processed_at: z.iso.datetime({ offset: true }),
});

export const orderFulfilledEvent = z.object({
  ...base,
  event_type: z.literal('order.fulfilled'),
  warehouse: z.string(),
  fulfilled_at: z.iso.datetime({ offset: true }),
});

export const orderShippedEvent = z.object({
  ...base,
  event_type: z.literal('order.shipped'),
  tracking_number: z.string(),
  carrier: z.string(),
  estimated_delivery: z.string(),
  shipped_at: z.iso.datetime({ offset: true }),
});

export const orderDeliveredEvent = z.object({
  ...base,
  event_type: z.literal('order.delivered'),
  delivered_at: z.iso.datetime({ offset: true }),
});

export const orderCancelledEvent = z.object({
  ...base,
  event_type: z.literal('order.cancelled'),
  reason: z.string(),
  cancelled_by: z.string(),
  refunded: z.boolean(),
  cancelled_at: z.iso.datetime({ offset: true }),
});

export const orderFailedEvent = z.object({
  ...base,
  event_type: z.literal('order.failed'),
  reason: z.string(),
  failed_step: z.string(),
  refunded: z.boolean(),
  failed_at: z.iso.datetime({ offset: true }),
});

export const orderEvent = z.discriminatedUnion('event_type', [
  orderCreatedEvent,
  orderValidatedEvent,
  orderPaymentProcessedEvent,
  orderFulfilledEvent,
  orderShippedEvent,
  orderDeliveredEvent,
  orderCancelledEvent,
  orderFailedEvent,
]);
export type OrderEvent = z.infer<typeof orderEvent>;

/** Parses a Kafka message value; throws a ZodError on anything that is not an order event. */
export function parseOrderEvent(value: Buffer | string): OrderEvent {
  return orderEvent.parse(JSON.parse(value.toString()));
}
