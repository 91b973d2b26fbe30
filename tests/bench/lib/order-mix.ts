/**
 * What each order of a run is: a normal order that should be delivered, or one of the failure
 * paths the options ask for. Kinds are drawn at random with the requested percentages, so
 * every path runs interleaved with the others, as it would in production.
 */
import { randomInt } from 'node:crypto';
import type { Catalogue } from './catalogue';
import type { OrderBody } from './http';
import type { MixOptions } from './options';

export type OrderKind = 'normal' | 'decline' | 'outOfStock' | 'cancel';

export const ORDER_KINDS: readonly OrderKind[] = ['normal', 'decline', 'outOfStock', 'cancel'];

/** The terminal statuses each kind may end in. */
export const EXPECTED_OUTCOMES: Readonly<Record<OrderKind, readonly string[]>> = {
  normal: ['delivered'],
  decline: ['failed'],
  outOfStock: ['failed'],
  // A cancel that lands after the order shipped is refused: the order is then delivered.
  cancel: ['cancelled', 'delivered'],
};

export function pickKind(mix: MixOptions): OrderKind {
  const roll = Math.random() * 100;
  if (roll < mix.declines) return 'decline';
  if (roll < mix.declines + mix.outOfStock) return 'outOfStock';
  if (roll < mix.declines + mix.outOfStock + mix.cancels) return 'cancel';
  return 'normal';
}

const ADDRESS = {
  street: '1 Bench Way',
  city: 'Springfield',
  state: 'IL',
  zip: '62701',
  country: 'US',
};

export function orderBody(kind: OrderKind, catalogue: Catalogue): OrderBody {
  const lines = 1 + randomInt(3);
  const chosen = new Set<number>();
  while (chosen.size < Math.min(lines, catalogue.products.length))
    chosen.add(randomInt(catalogue.products.length));
  const items = [...chosen].map((i) => {
    const p = catalogue.products[i]!;
    return { product_id: p.productId, quantity: 1 + randomInt(3), price: p.price };
  });
  if (kind === 'outOfStock') {
    const s = catalogue.scarce;
    items.push({ product_id: s.productId, quantity: s.startingStock + 1, price: s.price });
  }
  return {
    items,
    shipping_address: ADDRESS,
    payment_method: kind === 'decline' ? 'card_declined' : 'credit_card',
  };
}
