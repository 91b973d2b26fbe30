/**
 * Where the delivery of an earlier event of the same order to the same webhook is: `done`
 * (closed, whatever the outcome), `pending` (scheduled, not finished) or `unscheduled` (its
 * Kafka message has not reached the dispatcher yet).
 */
import type { PredecessorState } from '../../workflows/webhook-delivery-definitions';
import { findDeliveryByEvent, getWebhook } from '../../src/webhooks/store';
import type { WebhookActivityDeps } from './deps';

export interface PredecessorStateInput {
  webhookId: string;
  eventId: string;
}

export function createPredecessorState(deps: WebhookActivityDeps) {
  return async function predecessorState(input: PredecessorStateInput): Promise<PredecessorState> {
    const delivery = await findDeliveryByEvent(deps.db, input.webhookId, input.eventId);
    if (!delivery) {
      // A webhook deleted or switched off meanwhile will never get it scheduled: stop waiting.
      const webhook = await getWebhook(deps.db, input.webhookId);
      return webhook?.is_active ? 'unscheduled' : 'done';
    }
    return delivery.status === 'pending' ? 'pending' : 'done';
  };
}
