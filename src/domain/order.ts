/**
 * The order as clients submit it and as the workflow receives it. The API validates the
 * client's shape with `createOrderBody`; the workflow gets `OrderWorkflowInput`, amounts in cents.
 */
import { z } from 'zod';
import { isMoney } from './money';
import type { Cents } from './money';

export const moneyString = z.union([z.string(), z.number()]).refine((v) => isMoney(v), {
  message: 'must be an amount with at most 2 decimals, e.g. "19.99"',
});

export const shippingAddress = z.object({
  street: z.string().trim().min(1).max(200),
  city: z.string().trim().min(1).max(100),
  state: z.string().trim().min(1).max(100),
  zip: z.string().trim().min(1).max(20),
  country: z.string().trim().min(2).max(56),
});
export type ShippingAddress = z.infer<typeof shippingAddress>;

export const orderItemInput = z.object({
  product_id: z.uuid(),
  quantity: z.number().int().min(1).max(1000),
  price: moneyString,
});

export const createOrderBody = z.object({
  items: z.array(orderItemInput).min(1).max(100),
  shipping_address: shippingAddress,
  payment_method: z.string().trim().min(1).max(50),
});
export type CreateOrderBody = z.infer<typeof createOrderBody>;

export interface OrderLine {
  productId: string;
  quantity: number;
  unitPriceCents: Cents;
}

/** What the order workflow is started with. Serialisable, no Dates (ISO strings instead). */
export interface OrderWorkflowInput {
  orderId: string;
  userId: string;
  items: OrderLine[];
  totalCents: Cents;
  shippingAddress: ShippingAddress;
  paymentMethod: string;
  createdAt: string;
}
