/**
 * What a webhook receives, in the Standard Webhooks payload shape: `type` (the event type),
 * `timestamp` (when the event happened) and `data` (the order event as on Kafka). The body
 * is built the same way on every attempt, so retries carry the same bytes.
 */
import type { OrderEvent } from '../contract/events';
import { PING_EVENT_TYPE } from './event-types';

export interface WebhookMessage {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

export function eventMessage(event: OrderEvent): WebhookMessage {
  return { type: event.event_type, timestamp: event.occurred_at, data: { ...event } };
}

export function pingMessage(webhookId: string, at: Date): WebhookMessage {
  return { type: PING_EVENT_TYPE, timestamp: at.toISOString(), data: { webhook_id: webhookId } };
}

export function messageBody(message: WebhookMessage): string {
  return JSON.stringify(message);
}
