/**
 * What a webhook can subscribe to: the order events that have a Kafka topic, or `*` for all
 * of them. `webhook.ping` is what POST /webhooks/{id}/test sends; nobody subscribes to it.
 */
import type { TopicEventType } from '../contract/topics';

export const WILDCARD = '*';
export const PING_EVENT_TYPE = 'webhook.ping';

export const SUBSCRIBABLE_EVENT_TYPES = [
  'order.created',
  'order.validated',
  'order.payment_processed',
  'order.fulfilled',
  'order.shipped',
  'order.cancelled',
  'order.delivered',
  'order.failed',
  WILDCARD,
] as const satisfies readonly (TopicEventType | typeof WILDCARD)[];
export type SubscribableEventType = (typeof SUBSCRIBABLE_EVENT_TYPES)[number];

// Compile-time check: every event type with a topic can be subscribed to.
type Missing = Exclude<TopicEventType, SubscribableEventType>;
const _everyTopicSubscribable: [Missing] extends [never] ? true : Missing = true;

export function isSubscribableEventType(value: string): value is SubscribableEventType {
  return (SUBSCRIBABLE_EVENT_TYPES as readonly string[]).includes(value);
}

/** Whether events of this type reach the dispatcher (have a Kafka topic). */
export function isDispatchedEventType(value: string): boolean {
  return value !== WILDCARD && isSubscribableEventType(value);
}

/** Whether a webhook subscribed to `subscribed` wants an event of type `eventType`. */
export function subscribesTo(subscribed: readonly string[], eventType: string): boolean {
  return subscribed.includes(WILDCARD) || subscribed.includes(eventType);
}
