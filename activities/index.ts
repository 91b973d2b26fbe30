/**
 * The saga's activities, built from injected dependencies. The worker passes real clients;
 * tests may pass others. Workflows import only the *type* of this record.
 */
import type { ActivityDeps } from './deps';
import { withFailureMapping } from './failures';
import { withMetrics } from './metrics';
import { announceCreated } from './steps/announce';
import { validateOrder } from './steps/validate';
import { chargePayment, refundPayment } from './steps/charge';
import { reserveInventory, releaseInventory } from './steps/reserve';
import { fulfillOrder, shipOrder } from './steps/fulfill';
import { markCancelled, markDelivered, markFailed, recordCancelRefused } from './steps/outcomes';
import { notifyCustomer } from './notify/notify';

export function createActivities(deps: ActivityDeps) {
  return withMetrics(
    withFailureMapping({
      announceCreated: announceCreated(deps),
      validateOrder: validateOrder(deps),
      chargePayment: chargePayment(deps),
      refundPayment: refundPayment(deps),
      reserveInventory: reserveInventory(deps),
      releaseInventory: releaseInventory(deps),
      fulfillOrder: fulfillOrder(deps),
      shipOrder: shipOrder(deps),
      notifyCustomer: notifyCustomer(deps),
      markDelivered: markDelivered(deps),
      markFailed: markFailed(deps),
      markCancelled: markCancelled(deps),
      recordCancelRefused: recordCancelRefused(deps),
    }),
    deps.metrics,
  );
}

export type OrderActivities = ReturnType<typeof createActivities>;
export type { ActivityDeps };
