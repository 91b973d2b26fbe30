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
  patched,
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

/** Bookkeeping activities: short, retried until Postgres answers. */
const { recordDeliveryFailure, predecessorState } = proxyActivities<WebhookActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Waits until the previous event's delivery to this webhook is done. While it runs, this
 * delivery is registered as its follower and told when it ends (re-registering now and then
 * covers a signal lost to the predecessor completing meanwhile); while it is not scheduled
 * yet (its Kafka topic is behind this one's), this polls, up to orderMaxWaitMs, then goes on.
 *
 * Both waits grow (doubling, capped): a predecessor retrying towards a receiver that is down
 * for a day must not collect a signal from each follower every few seconds, nor the followers
 * a timer each; their histories would grow by thousands of events and every replay with them.
 * Executions from before the growth keep the fixed waits they started with.
 */
const WAITS_GROW = 'webhook-predecessor-waits-grow';
const MAX_REREGISTER_WAIT_MS = 30 * 60_000;
const MAX_POLL_WAIT_MS = 30_000;

async function waitForPredecessor(input: WebhookDeliveryInput, done: () => boolean): Promise<void> {
  const predecessor = input.predecessor!;
  const handle = getExternalWorkflowHandle(predecessor.workflowId);
  const self = workflowInfo().workflowId;
  const giveUpAt = Date.now() + input.orderMaxWaitMs;
  const grow = patched(WAITS_GROW);
  let reregisterWait = input.orderRecheckMs * 12;
  let pollWait = input.orderRecheckMs;
  for (;;) {
    let registered = true;
    try {
      await handle.signal(followerSignal, self);
    } catch {
      registered = false; // finished, or not started yet
    }
    if (registered) {
      if (await condition(done, reregisterWait)) return;
      if (grow) reregisterWait = Math.min(reregisterWait * 2, MAX_REREGISTER_WAIT_MS);
      continue;
    }
    const state = await predecessorState({
      webhookId: input.webhookId,
      eventId: predecessor.eventId,
    });
    if (state === 'done' || Date.now() >= giveUpAt) return;
    if (await condition(done, pollWait)) return;
    if (grow) pollWait = Math.min(pollWait * 2, Math.max(MAX_POLL_WAIT_MS, input.orderRecheckMs));
  }
}

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

  if (input.predecessor) {
    await waitForPredecessor(input, () => predecessorDone);
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
