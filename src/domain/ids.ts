/**
 * Deterministic ids. An event's id derives from the workflow's identity and the step
 * (`order-<id>:validated`), so a retried activity produces the same id: the order_events
 * primary key, the Kafka `event_id` and the Redis dedupe key all collapse duplicates.
 * The UUID is a version-5 style (SHA-1, name-based) UUID in a fixed namespace.
 */
import { createHash } from 'node:crypto';

const NAMESPACE = 'order-platform/v1';

export function deterministicUuid(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update('\0').update(name).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of the event a step of an order emits; `step` is e.g. "order.validated". */
export function orderEventId(orderId: string, step: string): string {
  return deterministicUuid(`order-${orderId}:${step}`);
}
