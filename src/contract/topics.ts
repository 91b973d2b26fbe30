/**
 * Kafka topics and the event types that land on them. The six topics are the seed's; the
 * saga's terminal outcomes (delivered, failed) get topics of their own so that downstream
 * consumers such as the webhook dispatcher see every outcome.
 */
export const EVENT_TYPES = [
  'order.created',
  'order.validated',
  'order.payment_processed',
  'order.inventory_reserved',
  'order.fulfilled',
  'order.shipped',
  'order.delivered',
  'order.cancelled',
  'order.cancel_refused',
  'order.failed',
  'order.payment_refunded',
  'order.inventory_released',
] as const;
export type OrderEventType = (typeof EVENT_TYPES)[number];

export const TOPICS = {
  'order.created': 'order_created',
  'order.validated': 'order_validated',
  'order.payment_processed': 'order_payment_processed',
  'order.fulfilled': 'order_fulfilled',
  'order.shipped': 'order_shipped',
  'order.cancelled': 'order_cancelled',
  'order.delivered': 'order_delivered',
  'order.failed': 'order_failed',
} as const satisfies Partial<Record<OrderEventType, string>>;

export type TopicEventType = keyof typeof TOPICS;
export type TopicName = (typeof TOPICS)[TopicEventType];

/** Every topic the stack creates (3 partitions; replication 1 locally, 3 in production). */
export const ALL_TOPICS: readonly TopicName[] = Object.values(TOPICS);

export function topicFor(eventType: OrderEventType): TopicName | undefined {
  return (TOPICS as Partial<Record<OrderEventType, TopicName>>)[eventType];
}

export function eventTypeForTopic(topic: string): TopicEventType | undefined {
  return (Object.keys(TOPICS) as TopicEventType[]).find((t) => TOPICS[t] === topic);
}
