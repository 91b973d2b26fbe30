/**
 * The order in which one order's events reach a webhook. Kafka keeps order within a topic
 * only, and each event type has its own topic, so the order comes from order_events: the
 * order worker writes a step's row before it emits the step's event and runs steps one after
 * another. Each delivery names the delivery of the previous event of its order to the same
 * webhook (its predecessor), which the delivery workflow waits for, even when the
 * predecessor's topic is behind and it is not scheduled yet.
 */
import {
  webhookDeliveryWorkflowId,
  type PredecessorRef,
} from '../../workflows/webhook-delivery-definitions';
import type { Db } from '../../db/client';
import { isDispatchedEventType, subscribesTo } from './event-types';
import {
  findDeliveryByEvent,
  findPredecessor,
  type Subscriber,
  type TimelineEvent,
  type WebhookDeliveryRow,
} from './store';

/**
 * The event of the order that happened just before `eventId` and that this webhook receives
 * (it subscribes to the type, and the event happened after the webhook was registered): null
 * when there is none, undefined when the timeline does not know the event (it was not
 * produced by the order worker), and ordering falls back to the order of arrival.
 */
export function timelinePredecessor(
  timeline: readonly TimelineEvent[],
  eventId: string,
  subscriber: Subscriber,
): TimelineEvent | null | undefined {
  const index = timeline.findIndex((e) => e.event_id === eventId);
  if (index < 0) return undefined;
  for (let i = index - 1; i >= 0; i--) {
    const candidate = timeline[i]!;
    if (!receives(subscriber, candidate)) {
      if (candidate.created_at < subscriber.created_at) return null;
      continue;
    }
    return candidate;
  }
  return null;
}

/** Whether a webhook gets an event: subscribed to its type, registered before it happened. */
export function receives(
  subscriber: Subscriber,
  event: { event_type: string; created_at: Date },
): boolean {
  return (
    isDispatchedEventType(event.event_type) &&
    subscribesTo(subscriber.event_types, event.event_type) &&
    subscriber.created_at.getTime() <= event.created_at.getTime()
  );
}

/** The delivery this one waits for: null when there is none or it is done already. */
export async function predecessorOf(
  db: Db,
  timeline: readonly TimelineEvent[],
  subscriber: Subscriber,
  delivery: WebhookDeliveryRow,
): Promise<PredecessorRef | null> {
  const previous = timelinePredecessor(timeline, delivery.event_id, subscriber);
  if (previous === undefined) {
    const arrived = await findPredecessor(db, delivery);
    return arrived?.status === 'pending'
      ? { workflowId: arrived.workflow_id, eventId: arrived.event_id }
      : null;
  }
  if (previous === null) return null;
  const scheduled = await findDeliveryByEvent(db, subscriber.webhook_id, previous.event_id);
  if (scheduled && scheduled.status !== 'pending') return null; // already done
  return {
    workflowId: webhookDeliveryWorkflowId(subscriber.webhook_id, previous.event_id),
    eventId: previous.event_id,
  };
}
