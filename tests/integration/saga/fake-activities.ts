/**
 * In-memory stand-ins for the saga's activities, for workflow tests: they record every call
 * and can be told to reject an order or to fail transiently. The real activities are tested
 * against real Postgres, Kafka and Redis in saga-side-effects.test.ts.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { OrderActivities } from '../../../activities';
import type { OrderRejection } from '../../../src/domain/errors';

export interface FakeScript {
  reject?: { step: keyof OrderActivities; type: OrderRejection; message: string };
  transientFailures?: { step: keyof OrderActivities; times: number };
  /** Resolves when this step starts; the step then waits for `release` to be called. */
  blockAt?: keyof OrderActivities;
}

export function fakeActivities(script: FakeScript = {}) {
  const calls: string[] = [];
  let transientLeft = script.transientFailures?.times ?? 0;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let reachedBlock!: () => void;
  const blocked = new Promise<void>((r) => (reachedBlock = r));

  const step =
    <K extends keyof OrderActivities>(
      name: K,
      result: () => Awaited<ReturnType<OrderActivities[K]>>,
    ) =>
    async (): Promise<Awaited<ReturnType<OrderActivities[K]>>> => {
      calls.push(name);
      if (script.blockAt === name) {
        reachedBlock();
        await released;
      }
      if (script.transientFailures?.step === name && transientLeft > 0) {
        transientLeft--;
        throw new Error(`${name}: transient failure`);
      }
      if (script.reject?.step === name) {
        throw ApplicationFailure.create({
          message: script.reject.message,
          type: script.reject.type,
          nonRetryable: true,
        });
      }
      return result();
    };

  const activities = {
    announceCreated: step('announceCreated', () => undefined),
    validateOrder: step('validateOrder', () => undefined),
    chargePayment: step('chargePayment', () => ({ paymentId: 'pay_1', reference: 'ch_1' })),
    refundPayment: step('refundPayment', () => ({ refunded: true })),
    reserveInventory: step('reserveInventory', () => undefined),
    releaseInventory: step('releaseInventory', () => ({ released: 2 })),
    fulfillOrder: step('fulfillOrder', () => undefined),
    shipOrder: step('shipOrder', () => ({
      trackingNumber: '1ZTEST',
      carrier: 'UPS',
      estimatedDelivery: '2026-12-01',
    })),
    notifyCustomer: step('notifyCustomer', () => ({ sent: 1 })),
    markDelivered: step('markDelivered', () => undefined),
    markFailed: step('markFailed', () => undefined),
    markCancelled: step('markCancelled', () => undefined),
    recordCancelRefused: step('recordCancelRefused', () => undefined),
  } satisfies Record<keyof OrderActivities, unknown>;

  return { activities: activities as unknown as OrderActivities, calls, release, blocked };
}
