/**
 * Step 0: the API has recorded the order (status pending, `order.created` row); this step
 * tells the rest of the world: topic order_created and the first live status.
 */
import { formatMoney } from '../../src/domain/money';
import type { OrderWorkflowInput } from '../../src/domain/order';
import type { ActivityDeps } from '../deps';
import { recordStatusChange } from '../record-status';

export function announceCreated(deps: ActivityDeps) {
  return async function announceCreated(input: OrderWorkflowInput): Promise<void> {
    await recordStatusChange(deps, input, {
      eventType: 'order.created',
      status: 'pending',
      createdBy: input.userId,
      data: {
        items: input.items.map((i) => ({
          product_id: i.productId,
          quantity: i.quantity,
          price: formatMoney(i.unitPriceCents),
        })),
        total_amount: formatMoney(input.totalCents),
        shipping_address: input.shippingAddress,
        payment_method: input.paymentMethod,
        created_at: input.createdAt,
      },
    });
  };
}
