/**
 * The order saga's control flow, on the real Temporal CLI dev server, with in-memory
 * activities. Every path also records its history for the replay tests when
 * RECORD_HISTORIES=1 (see tests/replay).
 */
import { writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { execFileSync } from 'node:child_process';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { orderWorkflow, type OrderWorkflowOptions } from '../../../workflows/order';
import {
  cancelSignal,
  deliveredSignal,
  statusQuery,
  type CancelRequest,
} from '../../../workflows/definitions';
import { ORDER_WORKFLOWS_PATH } from '../../../src/worker/order-worker';
import { orderWorkflowId } from '../../../src/contract/orders';
import { OrderStatusKey } from '../../../src/contract/search-attributes';
import { createWorkflowTestEnv, temporalCliPath } from '../../support/temporal';
import { anOrder } from '../../support/orders';
import { fakeActivities, type FakeScript } from './fake-activities';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([
    createWorkflowTestEnv(),
    bundleWorkflowCode({ workflowsPath: ORDER_WORKFLOWS_PATH, logger: undefined }),
  ]);
});

afterAll(async () => {
  await env?.teardown();
});

async function runSaga(
  name: string,
  script: FakeScript,
  drive: (
    handle: WorkflowHandle<typeof orderWorkflow>,
    fakes: ReturnType<typeof fakeActivities>,
  ) => Promise<void>,
  options: OrderWorkflowOptions = {},
  /** Delivered with the start itself, so the workflow sees it before its first step. */
  cancelAtStart?: CancelRequest,
) {
  const fakes = fakeActivities(script);
  const taskQueue = `test-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: fakes.activities,
  });
  const input = anOrder();
  const result = await worker.runUntil(async () => {
    const start = {
      taskQueue,
      workflowId: orderWorkflowId(input.orderId),
      args: [input, options] as const,
    };
    const handle = cancelAtStart
      ? await env.client.workflow.signalWithStart(orderWorkflow, {
          ...start,
          args: [input, options],
          signal: cancelSignal,
          signalArgs: [cancelAtStart],
        })
      : await env.client.workflow.start(orderWorkflow, { ...start, args: [input, options] });
    await drive(handle, fakes);
    const state = await handle.result();
    const description = await handle.describe();
    if (process.env.RECORD_HISTORIES) {
      // The CLI writes the canonical proto-JSON form that historyFromJSON reads back.
      const json = execFileSync(temporalCliPath(), [
        'workflow',
        'show',
        '--address',
        env.address,
        '--workflow-id',
        handle.workflowId,
        '--output',
        'json',
      ]);
      await writeFile(new URL(`../../replay/histories/${name}.json`, import.meta.url), json);
    }
    return { state, description };
  });
  return { ...result, calls: fakes.calls };
}

const deliverWhenShipped = async (handle: WorkflowHandle<typeof orderWorkflow>) => {
  // The carrier's scan arrives as a signal; wait until the order has shipped, then send it.
  while ((await handle.query(statusQuery)).status !== 'shipped')
    await new Promise((r) => setImmediate(r));
  await handle.signal(deliveredSignal, { deliveredAt: new Date().toISOString() });
};

describe('order workflow', () => {
  it('runs every step in order and ends delivered', async () => {
    const { state, calls, description } = await runSaga('happy-path', {}, deliverWhenShipped);
    expect(state.status).toBe('delivered');
    expect(calls).toEqual([
      'announceCreated',
      'validateOrder',
      'chargePayment',
      'reserveInventory',
      'notifyCustomer',
      'fulfillOrder',
      'shipOrder',
      'notifyCustomer',
      'markDelivered',
      'notifyCustomer',
    ]);
    expect(state.shipment?.trackingNumber).toBe('1ZTEST');
    expect(description.typedSearchAttributes.get(OrderStatusKey)).toBe('delivered');
  });

  it('ends failed without charging when the card is declined', async () => {
    const { state, calls } = await runSaga(
      'payment-declined',
      {
        reject: {
          step: 'chargePayment',
          type: 'PaymentDeclined',
          message: 'payment declined: card_declined',
        },
      },
      async () => {},
    );
    expect(state.status).toBe('failed');
    expect(state.failure).toMatchObject({ step: 'charge', type: 'PaymentDeclined' });
    expect(calls).not.toContain('refundPayment');
    expect(calls).not.toContain('reserveInventory');
    expect(calls.at(-1)).toBe('markFailed');
  });

  it('refunds the charge when reservation finds no stock', async () => {
    const { state, calls } = await runSaga(
      'out-of-stock',
      { reject: { step: 'reserveInventory', type: 'OutOfStock', message: 'out of stock' } },
      async () => {},
    );
    expect(state.status).toBe('failed');
    expect(state.failure).toMatchObject({ step: 'reserve', type: 'OutOfStock' });
    expect(calls.slice(-2)).toEqual(['refundPayment', 'markFailed']);
    expect(calls).not.toContain('releaseInventory');
  });

  it('retries a transient failure and then succeeds', async () => {
    const { state, calls } = await runSaga(
      'transient-then-success',
      { transientFailures: { step: 'chargePayment', times: 2 } },
      deliverWhenShipped,
    );
    expect(state.status).toBe('delivered');
    expect(calls.filter((c) => c === 'chargePayment')).toHaveLength(3);
  });

  it('compensates in reverse when cancelled before shipping', async () => {
    const { state, calls } = await runSaga(
      'cancel-before-shipping',
      { blockAt: 'fulfillOrder' },
      async (handle, fakes) => {
        await fakes.blocked;
        await handle.signal(cancelSignal, { reason: 'changed my mind', requestedBy: 'customer' });
        fakes.release();
      },
    );
    expect(state.status).toBe('cancelled');
    expect(state.cancellation).toMatchObject({ outcome: 'accepted', reason: 'changed my mind' });
    expect(calls.slice(-3)).toEqual(['releaseInventory', 'refundPayment', 'markCancelled']);
    expect(calls).not.toContain('shipOrder');
  });

  it('refuses a cancel after shipping and still delivers', async () => {
    const { state, calls } = await runSaga('cancel-after-shipping', {}, async (handle) => {
      while ((await handle.query(statusQuery)).status !== 'shipped')
        await new Promise((r) => setImmediate(r));
      await handle.signal(cancelSignal, { reason: 'too late', requestedBy: 'customer' });
      await handle.signal(deliveredSignal, { deliveredAt: new Date().toISOString() });
    });
    expect(state.status).toBe('delivered');
    expect(state.cancellation).toMatchObject({ outcome: 'refused' });
    expect(calls).toContain('recordCancelRefused');
    expect(calls).not.toContain('refundPayment');
  });

  it('writes the order off and refunds when the carrier never confirms delivery', async () => {
    const { state, calls } = await runSaga('delivery-timeout', {}, async () => {}, {
      deliveryTimeout: '1 second',
    });
    expect(state.status).toBe('failed');
    expect(state.failure).toMatchObject({ step: 'deliver', type: 'DeliveryTimeout' });
    expect(calls.slice(-2)).toEqual(['refundPayment', 'markFailed']);
  });

  it('announces the order even when the cancel arrives before its first step', async () => {
    const { state, calls } = await runSaga(
      'cancel-at-start',
      {},
      async () => {},
      {},
      {
        reason: 'oops',
        requestedBy: 'customer',
      },
    );
    expect(state.status).toBe('cancelled');
    expect(calls).toEqual(['announceCreated', 'markCancelled']);
  });
});
