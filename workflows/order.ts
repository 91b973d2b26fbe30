/**
 * The order saga: one durable workflow per order (id `order-<order_id>`).
 *
 *   announce → validate → charge → reserve → (confirm) → fulfil → ship → (notify) → delivered
 *
 * Each step is an activity that records the new status in Postgres, Kafka and Redis. Each
 * step that changes the world registers its undo right after it succeeds (refund after
 * charge, release after reserve); a business rejection or an accepted cancel runs those undos
 * in reverse, then ends the order `failed` or `cancelled`. Shipping is the point of no return:
 * a cancel after it is recorded as refused and changes nothing.
 *
 * Deterministic code only: activities are imported as types, time and randomness come from
 * the workflow runtime.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { OrderActivities } from '../activities';
import type { OrderWorkflowInput } from '../src/domain/order';
import type { OrderStatus } from '../src/contract/orders';
import { CustomerIdKey, OrderStatusKey, OrderTotalKey } from '../src/contract/search-attributes';
import {
  cancelSignal,
  deliveredSignal,
  statusQuery,
  type CancelRequest,
  type DeliveryConfirmation,
  type OrderState,
  type StepName,
  type StepRecord,
} from './definitions';
import {
  COMPENSATION_OPTIONS,
  DEFAULT_DELIVERY_TIMEOUT,
  NOTIFICATION_OPTIONS,
  STEP_OPTIONS,
} from './policies';

const steps = proxyActivities<OrderActivities>(STEP_OPTIONS);
const compensations = proxyActivities<OrderActivities>(COMPENSATION_OPTIONS);
const notifications = proxyActivities<OrderActivities>(NOTIFICATION_OPTIONS);

export interface OrderWorkflowOptions {
  /** Overrides the 7-day wait for the carrier's delivery scan (tests, demos). */
  deliveryTimeout?: Duration;
}

/** Raised inside the workflow when an accepted cancel interrupts the saga. */
class CancelRequested extends Error {
  override name = 'CancelRequested';
  constructor(readonly request: CancelRequest) {
    super(`cancelled: ${request.reason}`);
  }
}

export async function orderWorkflow(
  input: OrderWorkflowInput,
  options: OrderWorkflowOptions = {},
): Promise<OrderState> {
  const state: OrderState = { orderId: input.orderId, status: 'pending', steps: [] };
  let cancelRequest: CancelRequest | undefined;
  let delivery: DeliveryConfirmation | undefined;
  let pastPointOfNoReturn = false;
  let refusedCancels = 0;
  const undo: { name: StepRecord['step']; run: (reason: string) => Promise<void> }[] = [];
  let refunded = false;
  let currentStep: StepName = 'record';

  const now = () => new Date().toISOString(); // deterministic inside a workflow
  const note = (step: StepRecord['step'], outcome: StepRecord['outcome'], detail?: string) =>
    state.steps.push({ step, outcome, at: now(), ...(detail ? { detail } : {}) });
  const setStatus = (status: OrderStatus) => {
    state.status = status;
    upsertSearchAttributes([{ key: OrderStatusKey, value: status }]);
  };

  setHandler(statusQuery, () => state);
  setHandler(deliveredSignal, (confirmation) => {
    delivery ??= confirmation;
  });
  setHandler(cancelSignal, async (request) => {
    if (
      !pastPointOfNoReturn &&
      !cancelRequest &&
      state.status !== 'failed' &&
      state.status !== 'cancelled'
    ) {
      cancelRequest = request;
      return;
    }
    const statusAtRequest = state.status;
    state.cancellation ??= { ...request, outcome: 'refused', at: now() };
    refusedCancels += 1;
    await steps.recordCancelRefused(input, {
      ...request,
      occurrence: refusedCancels,
      statusAtRequest,
    });
  });

  upsertSearchAttributes([
    { key: CustomerIdKey, value: input.userId },
    { key: OrderTotalKey, value: input.totalCents / 100 },
    { key: OrderStatusKey, value: 'pending' },
  ]);

  /** Runs one forward step, unless a cancel was accepted before it started. */
  async function step<T>(
    name: StepName,
    status: OrderStatus | undefined,
    run: () => Promise<T>,
  ): Promise<T> {
    if (cancelRequest) throw new CancelRequested(cancelRequest);
    currentStep = name;
    const result = await run();
    if (status) setStatus(status);
    note(name, 'completed');
    return result;
  }

  /** Runs the registered undos in reverse; each is retried until it succeeds. */
  async function compensate(reason: string): Promise<void> {
    for (const { name, run } of undo.reverse()) {
      await run(reason);
      note(name, 'completed', reason);
    }
  }

  try {
    if (patched('announce-even-if-cancelled')) {
      // Announcing changes nothing in the world, and consumers must see order_created before
      // order_cancelled: announce even when a cancel arrived before the first task.
      await steps.announceCreated(input);
      note('record', 'completed');
    } else {
      await step('record', undefined, () => steps.announceCreated(input));
    }
    await step('validate', 'validated', () => steps.validateOrder(input));
    await step('charge', 'paid', () => steps.chargePayment(input));
    undo.push({
      name: 'compensate:refund',
      run: async (reason) => {
        refunded = (await compensations.refundPayment(input, reason)).refunded;
      },
    });
    await step('reserve', 'processing', () => steps.reserveInventory(input));
    undo.push({
      name: 'compensate:release',
      run: (reason) => compensations.releaseInventory(input, reason).then(() => undefined),
    });
    await notify('order_confirmation');
    await step('fulfill', 'fulfilled', () => steps.fulfillOrder(input));
    if (cancelRequest) throw new CancelRequested(cancelRequest);
    pastPointOfNoReturn = true;
    const label = await step('ship', 'shipped', () => steps.shipOrder(input));
    state.shipment = label;
    await notify('order_shipped', {
      trackingNumber: label.trackingNumber,
      carrier: label.carrier,
      estimatedDelivery: label.estimatedDelivery,
    });
  } catch (err) {
    if (err instanceof CancelRequested) {
      await compensate(`cancelled by ${err.request.requestedBy}: ${err.request.reason}`);
      await steps.markCancelled(input, { ...err.request, refunded });
      state.cancellation = { ...err.request, outcome: 'accepted', at: now() };
      setStatus('cancelled');
      note('cancel', 'completed', err.request.reason);
      return finish();
    }
    const rejection = asRejection(err);
    if (!rejection) throw err;
    const failedStep = currentStep;
    note(failedStep, 'failed', rejection.message);
    await compensate(rejection.message);
    state.failure = { step: failedStep, reason: rejection.message, type: rejection.type };
    await steps.markFailed(input, { step: failedStep, reason: rejection.message, refunded });
    setStatus('failed');
    return finish();
  }

  const delivered = await condition(
    () => delivery !== undefined,
    options.deliveryTimeout ?? DEFAULT_DELIVERY_TIMEOUT,
  );
  if (delivered && delivery) {
    await steps.markDelivered(input, delivery.deliveredAt);
    setStatus('delivered');
    note('deliver', 'completed');
    await notify('order_delivered', { deliveredAt: delivery.deliveredAt });
    return finish();
  }

  // The carrier never confirmed: the parcel is written off and the customer refunded.
  const reason = 'delivery not confirmed by the carrier in time';
  note('deliver', 'failed', reason);
  refunded = (await compensations.refundPayment(input, reason)).refunded;
  state.failure = { step: 'deliver', reason, type: 'DeliveryTimeout' };
  await steps.markFailed(input, { step: 'deliver', reason, refunded });
  setStatus('failed');
  return finish();

  /** Best effort: a message that cannot be sent is logged, never fails the order. */
  async function notify(
    template: 'order_confirmation' | 'order_shipped' | 'order_delivered',
    details: Parameters<OrderActivities['notifyCustomer']>[2] = {},
  ): Promise<void> {
    try {
      await notifications.notifyCustomer(input, template, details);
      note('notify', 'completed', template);
    } catch (err) {
      log.warn('notification not sent', { template, error: String(err) });
      note('notify', 'failed', template);
    }
  }

  async function finish(): Promise<OrderState> {
    await condition(allHandlersFinished);
    log.info('order finished', {
      orderId: input.orderId,
      status: state.status,
      workflowId: workflowInfo().workflowId,
    });
    return state;
  }
}

function asRejection(err: unknown): { type: string; message: string } | undefined {
  if (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    err.cause.nonRetryable &&
    err.cause.type
  ) {
    return { type: err.cause.type, message: err.cause.message };
  }
  return undefined;
}
