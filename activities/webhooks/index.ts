/**
 * The webhook delivery activities, built from injected dependencies. The workflow imports
 * the type only.
 */
import type { WebhookActivityDeps } from './deps';
import { createDeliverWebhook } from './deliver';
import { createPredecessorState } from './predecessor-state';
import { createRecordDeliveryFailure } from './record-failure';

export type { WebhookActivityDeps } from './deps';
export type { DeliverWebhookInput } from './deliver';
export type { RecordDeliveryFailureInput } from './record-failure';
export type { PredecessorStateInput } from './predecessor-state';

export function createWebhookActivities(deps: WebhookActivityDeps) {
  return {
    deliverWebhook: createDeliverWebhook(deps),
    recordDeliveryFailure: createRecordDeliveryFailure(deps),
    predecessorState: createPredecessorState(deps),
  };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
