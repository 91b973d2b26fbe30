/**
 * Step 2, charge, and its compensation, refund. The idempotency key derives from the
 * workflow's identity, so the gateway charges once however often the activity runs, and the
 * payments row is unique on it. A decline is a business outcome (non-retryable); a gateway
 * hiccup is a fault that Temporal retries.
 */
import { PaymentDeclinedError } from '../../src/domain/errors';
import { formatMoney } from '../../src/domain/money';
import type { OrderWorkflowInput } from '../../src/domain/order';
import { orderWorkflowId } from '../../src/contract/orders';
import type { ActivityDeps } from '../deps';
import { recordStatusChange } from '../record-status';

export interface ChargeReceipt {
  paymentId: string;
  reference: string;
}

export function chargePayment(deps: ActivityDeps) {
  return async function chargePayment(input: OrderWorkflowInput): Promise<ChargeReceipt> {
    const idempotencyKey = `${orderWorkflowId(input.orderId)}:charge`;
    const result = await deps.payments.charge({
      idempotencyKey,
      amountCents: input.totalCents,
      paymentMethod: input.paymentMethod,
      orderId: input.orderId,
    });
    if (result.outcome === 'declined')
      throw new PaymentDeclinedError(`payment declined: ${result.reason}`);

    await deps.db
      .insertInto('payments')
      .values({
        order_id: input.orderId,
        idempotency_key: idempotencyKey,
        amount: formatMoney(input.totalCents),
        payment_method: input.paymentMethod,
        provider_reference: result.reference,
        status: 'captured',
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
    const payment = await deps.db
      .selectFrom('payments')
      .select(['payment_id', 'provider_reference'])
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirstOrThrow();

    await recordStatusChange(deps, input, {
      eventType: 'order.payment_processed',
      status: 'paid',
      data: {
        payment_id: payment.payment_id,
        amount: formatMoney(input.totalCents),
        payment_method: input.paymentMethod,
        processed_at: deps.clock().toISOString(),
      },
    });
    return { paymentId: payment.payment_id, reference: payment.provider_reference };
  };
}

/** Compensation: refunds the order's capture, if there is one still captured. */
export function refundPayment(deps: ActivityDeps) {
  return async function refundPayment(
    input: OrderWorkflowInput,
    reason: string,
  ): Promise<{ refunded: boolean }> {
    const payment = await deps.db
      .selectFrom('payments')
      .select(['payment_id', 'provider_reference', 'status'])
      .where('order_id', '=', input.orderId)
      .executeTakeFirst();
    if (!payment) return { refunded: false };
    if (payment.status === 'captured') {
      const refund = await deps.payments.refund(
        payment.provider_reference,
        `${orderWorkflowId(input.orderId)}:refund`,
      );
      await deps.db
        .updateTable('payments')
        .set({ status: 'refunded', refund_reference: refund.reference, refunded_at: deps.clock() })
        .where('payment_id', '=', payment.payment_id)
        .where('status', '=', 'captured')
        .execute();
    }
    await recordStatusChange(deps, input, {
      eventType: 'order.payment_refunded',
      data: { payment_id: payment.payment_id, amount: formatMoney(input.totalCents), reason },
    });
    return { refunded: true };
  };
}
