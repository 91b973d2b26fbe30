/**
 * What a webhook can subscribe to: the order events that have a Kafka topic, or `*` for all
 * of them. `webhook.ping` is what POST /webhooks/{id}/test sends; nobody subscribes to it.
 */
import { TOPICS, type TopicEventType } from '../contract/topics';

export const WILDCARD = '*';
export const PING_EVENT_TYPE = 'webhook.ping';

export const SUBSCRIBABLE_EVENT_TYPES = [...(Object.keys(TOPICS) as TopicEventType[]), WILDCARD] as const;
export type SubscribableEventType = TopicEventType | typeof WILDCARD;

export function isSubscribableEventType(value: string): value is SubscribableEventType {
  return (SUBSCRIBABLE_EVENT_TYPES as readonly string[]).includes(value);
}

/** Whether a webhook subscribed to `subscribed` wants an event of type `eventType`. */
export function subscribesTo(subscribed: readonly string[], eventType: string): boolean {
  return subscribed.includes(WILDCARD) || subscribed.includes(eventType);
}
