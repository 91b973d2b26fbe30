/**
 * One attempt of one delivery, and its webhook_logs row. Terminal outcomes (delivered, 410,
 * other 4xx, a refused target, a webhook deactivated or deleted meanwhile) close the delivery
 * and return; a retryable one throws an ApplicationFailure whose nextRetryDelay is the
 * jittered back-off, or the receiver's Retry-After (capped at the longest interval).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { WebhookDeliveryResult } from '../../workflows/webhook-delivery-definitions';
import { attemptDelivery, type AttemptReport } from '../../src/webhooks/attempt';
import { messageBody, type WebhookMessage } from '../../src/webhooks/payload';
import { retryDelayMs, type RetrySchedule } from '../../src/webhooks/retry';
import {
  clearFailing,
  completeDelivery,
  disableWebhook,
  getDelivery,
  getWebhook,
  insertAttemptLog,
  noteAttempt,
  recordFailing,
} from '../../src/webhooks/store';
import type { WebhookAttemptStatus } from '../../db/schema';
import type { WebhookActivityDeps } from './deps';

export const RETRYABLE_FAILURE_TYPE = 'WebhookDeliveryRetryable';

export interface DeliverWebhookInput {
  deliveryId: string;
  webhookId: string;
  eventId: string;
  orderId: string | null;
  eventType: string;
  message: WebhookMessage;
  retry: RetrySchedule;
}

function logStatus(
  report: AttemptReport,
  attempt: number,
  maxAttempts: number,
): WebhookAttemptStatus {
  if (report.outcome === 'delivered') return 'succeeded';
  if (report.outcome === 'retryable' && attempt < maxAttempts) return 'retrying';
  return 'failed';
}

export function createDeliverWebhook(deps: WebhookActivityDeps) {
  return async function deliverWebhook(input: DeliverWebhookInput): Promise<WebhookDeliveryResult> {
    const attempt = Context.current().info.attempt;
    const log = deps.logger.child({ webhookId: input.webhookId, eventId: input.eventId, attempt });

    const delivery = await getDelivery(deps.db, input.deliveryId);
    if (!delivery) return { outcome: 'skipped' }; // the webhook was deleted (cascade)
    if (delivery.status !== 'pending') {
      return { outcome: delivery.status === 'delivered' ? 'delivered' : 'skipped' };
    }
    const webhook = await getWebhook(deps.db, input.webhookId);
    if (!webhook?.is_active) {
      await completeDelivery(
        deps.db,
        input.deliveryId,
        'skipped',
        attempt - 1,
        delivery.last_response_status,
      );
      return { outcome: 'skipped' };
    }

    const now = deps.clock();
    const report = await attemptDelivery(
      {
        url: webhook.url,
        secret: deps.secrets.decrypt(webhook.secret, webhook.webhook_id),
        messageId: input.eventId,
        body: messageBody(input.message),
        now,
      },
      deps.attempt,
    );
    await insertAttemptLog(deps.db, {
      webhookId: input.webhookId,
      deliveryId: input.deliveryId,
      eventId: input.eventId,
      orderId: input.orderId,
      eventType: input.eventType,
      requestPayload: { ...input.message },
      responseStatus: report.responseStatus,
      responseBody: report.responseBody,
      latencyMs: report.latencyMs,
      error: report.error,
      attempt,
      status: logStatus(report, attempt, input.retry.maxAttempts),
    });
    log.info(
      { outcome: report.outcome, status: report.responseStatus, latencyMs: report.latencyMs },
      'webhook attempt',
    );

    // The webhook's own state (failure clock, disabled) is written before the delivery is
    // closed: a closed delivery has had all of its effects.
    const close = (status: 'delivered' | 'rejected') =>
      completeDelivery(deps.db, input.deliveryId, status, attempt, report.responseStatus);
    switch (report.outcome) {
      case 'delivered':
        await clearFailing(deps.db, input.webhookId);
        await close('delivered');
        return { outcome: 'delivered' };
      case 'gone': {
        const reason = `the endpoint answered 410 Gone on ${now.toISOString()}`;
        await disableWebhook(deps.db, input.webhookId, reason);
        await close('rejected');
        log.warn('webhook disabled: 410 Gone');
        return { outcome: 'gone', disabledReason: reason };
      }
      case 'rejected': {
        const disabledReason = await recordFailing(deps.db, input.webhookId, deps.disableAfterMs);
        await close('rejected');
        return { outcome: 'rejected', ...(disabledReason ? { disabledReason } : {}) };
      }
      case 'retryable': {
        await noteAttempt(deps.db, input.deliveryId, attempt, report.responseStatus);
        const delayMs =
          report.retryAfterMs !== undefined
            ? Math.min(report.retryAfterMs, input.retry.maxIntervalMs)
            : retryDelayMs(input.retry, attempt);
        throw ApplicationFailure.create({
          type: RETRYABLE_FAILURE_TYPE,
          message: report.error ?? 'delivery failed',
          nextRetryDelay: Math.max(1, delayMs),
        });
      }
    }
  };
}
