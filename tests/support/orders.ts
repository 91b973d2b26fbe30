/** Order fixtures shared by the saga's tests. */
import { randomUUID } from 'node:crypto';
import type { OrderWorkflowInput } from '../../src/domain/order';

export const MUG = '8f1d4c1e-7c51-4f55-9b57-0d6f6f0a0001';

export function anOrder(overrides: Partial<OrderWorkflowInput> = {}): OrderWorkflowInput {
  const items = overrides.items ?? [{ productId: MUG, quantity: 2, unitPriceCents: 1250 }];
  return {
    orderId: randomUUID(),
    userId: randomUUID(),
    items,
    totalCents: items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0),
    shippingAddress: {
      street: '1 Main St',
      city: 'Springfield',
      state: 'IL',
      zip: '62701',
      country: 'US',
    },
    paymentMethod: 'card',
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}
