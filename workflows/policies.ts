/**
 * Timeouts and retry policies of the saga's activities, in one place.
 * - steps: transient faults (a database blip, a gateway timeout, a worker killed mid-step)
 *   are retried with back-off for up to ten minutes; business rejections are non-retryable;
 * - compensations: retried until they succeed (an unrefunded charge is never acceptable), so a
 *   stuck compensation stays visible in the Web UI as a pending activity with its last error;
 * - notifications: best effort, a few attempts, never fail the order.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { ORDER_REJECTIONS } from '../src/domain/errors';

export const STEP_OPTIONS: ActivityOptions = {
  // Steps take milliseconds; a worker that dies mid-step is noticed after this long.
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: {
    initialInterval: '200 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: [...ORDER_REJECTIONS],
  },
};

export const COMPENSATION_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
  },
};

export const NOTIFICATION_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 5 },
};

/** How long a shipped order waits for the carrier's delivery scan before it is written off. */
export const DEFAULT_DELIVERY_TIMEOUT = '7 days';
