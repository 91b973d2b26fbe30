/**
 * A delivery whose retries ran out: close it as failed and start (or continue) the webhook's
 * failure clock, which disables a webhook that has been failing for days.
 */
import type { WebhookDeliveryResult } from '../../workflows/webhook-delivery-definitions';
import { completeDelivery, getDelivery, recordFailing } from '../../src/webhooks/store';
import type { WebhookActivityDeps } from './deps';

export interface RecordDeliveryFailureInput {
  deliveryId: string;
  webhookId: string;
}

export function createRecordDeliveryFailure(deps: WebhookActivityDeps) {
  return async function recordDeliveryFailure(
    input: RecordDeliveryFailureInput,
  ): Promise<WebhookDeliveryResult> {
    const delivery = await getDelivery(deps.db, input.deliveryId);
    if (!delivery) return { outcome: 'skipped' };
    // The failure clock first: a closed delivery has had all of its effects.
    const disabledReason = await recordFailing(deps.db, input.webhookId, deps.disableAfterMs);
    await completeDelivery(
      deps.db,
      input.deliveryId,
      'failed',
      delivery.attempts,
      delivery.last_response_status,
    );
    if (disabledReason)
      deps.logger.warn({ webhookId: input.webhookId }, 'webhook disabled: failing for days');
    return { outcome: 'failed', ...(disabledReason ? { disabledReason } : {}) };
  };
}
