/**
 * The WebSocket protocol (the seed's section 8.2, completed). The worker publishes
 * `OrderUpdateMessage`s to Redis; the gateway forwards them unchanged to the owner's sockets,
 * adding the stream id as `id` so a client can resume after a reconnect.
 */
import { z } from 'zod';
import { ORDER_STATUSES } from './orders';

export const orderUpdateMessage = z.object({
  type: z.literal('order.update'),
  /** Position in the user's status stream; send it back as `last_event_id` to resume. */
  id: z.string().optional(),
  event_id: z.uuid(),
  order_id: z.uuid(),
  user_id: z.uuid(),
  status: z.enum(ORDER_STATUSES),
  message: z.string(),
  timestamp: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});
export type OrderUpdateMessage = z.infer<typeof orderUpdateMessage>;

/** Human sentence for each status, shown to customers. */
export const STATUS_MESSAGES: Record<(typeof ORDER_STATUSES)[number], string> = {
  pending: 'We have received your order',
  validated: 'Your order has been validated',
  processing: 'Your items are reserved and being prepared',
  paid: 'Your payment has been accepted',
  fulfilled: 'Your order has been packed',
  shipped: 'Your order has been shipped',
  delivered: 'Your order has been delivered',
  cancelled: 'Your order has been cancelled',
  failed: 'We could not complete your order',
};
