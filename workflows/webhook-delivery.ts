/**
 * One webhook delivery: wait for the previous event of the same order (so a receiver sees an
 * order's events in order), then deliver with durable retries. Each attempt is one run of the
 * `deliverWebhook` activity under a retry policy whose back-off the activity refines (jitter,
 * Retry-After) through `nextRetryDelay`; a delivery whose retries run out is recorded as
 * failed, which may disable a webhook that has failed for days.
 */
import {
  ActivityFailure,
  condition,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks';
import {
  deliveryPhaseQuery,
  followerSignal,
  predecessorDoneSignal,
  type WebhookDeliveryInput,
  type WebhookDeliveryPhase,
  type WebhookDeliveryResult,
} from './webhook-delivery-definitions';

/** Added to the HTTP deadline for the activity's own work (SSRF lookup, Postgres writes). */
const ACTIVITY_MARGIN_MS = 15_000;

export async function webhookDelivery(input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  let phase: WebhookDeliveryPhase = 'waiting-for-predecessor';
  let predecessorDone = false;
  const followers: string[] = [];
  setHandler(deliveryPhaseQuery, () => phase);
  setHandler(followerSignal, (followerId) => {
    if (!followers.includes(followerId)) followers.push(followerId);
  });
  setHandler(predecessorDoneSignal, () => {
    predecessorDone = true;
  });

  if (input.predecessorWorkflowId) {
    const predecessor = getExternalWorkflowHandle(input.predecessorWorkflowId);
    const self = workflowInfo().workflowId;
    for (;;) {
      try {
        await predecessor.signal(followerSignal, self);
      } catch {
        break; // the predecessor has finished (or never existed): nothing to wait for
      }
      // Re-asking now and then covers a signal lost to the predecessor completing meanwhile.
      if (await condition(() => predecessorDone, input.orderRecheckMs)) break;
    }
  }

  phase = 'delivering';
  const { deliverWebhook } = proxyActivities<WebhookActivities>({
    startToCloseTimeout: input.attemptTimeoutMs + ACTIVITY_MARGIN_MS,
    retry: {
      initialInterval: input.retry.initialMs,
      backoffCoefficient: input.retry.backoff,
      maximumInterval: input.retry.maxIntervalMs,
      maximumAttempts: input.retry.maxAttempts,
    },
  });
  const { recordDeliveryFailure } = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });

  let result: WebhookDeliveryResult;
  try {
    result = await deliverWebhook({
      deliveryId: input.deliveryId,
      webhookId: input.webhookId,
      eventId: input.eventId,
      orderId: input.orderId,
      eventType: input.eventType,
      message: input.message,
      retry: input.retry,
    });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    result = await recordDeliveryFailure({
      deliveryId: input.deliveryId,
      webhookId: input.webhookId,
    });
  }

  phase = 'done';
  for (let i = 0; i < followers.length; i++) {
    try {
      await getExternalWorkflowHandle(followers[i]!).signal(predecessorDoneSignal);
    } catch {
      // a follower that is gone needs no news
    }
  }
  return result;
}
