/**
 * How every step makes its outcome visible, in this order:
 * 1. Postgres, one transaction: the order's status and an `order_events` row whose id is
 *    deterministic, so a retry inserts nothing twice (ON CONFLICT DO NOTHING);
 * 2. Kafka, the step's topic (if it has one), same event id;
 * 3. Redis, the live status for the gateway (deduped by event id inside one Lua script).
 * If the worker dies between any two of these, Temporal retries the activity and the
 * steps already done are no-ops, so each change lands in all three places once in effect.
 */
import type { OrderStatus } from '../src/contract/orders';
import type { OrderEvent } from '../src/contract/events';
import type { OrderEventType } from '../src/contract/topics';
import { topicFor } from '../src/contract/topics';
import { STATUS_MESSAGES } from '../src/contract/ws-messages';
import { orderEventId } from '../src/domain/ids';
import type { ActivityDeps } from './deps';

export interface OrderRef {
  orderId: string;
  userId: string;
}

export interface StatusChange {
  eventType: OrderEventType;
  /** New status; omitted for events that do not move the order (e.g. a refused cancel). */
  status?: OrderStatus;
  /** Event payload beyond the common fields; also stored as order_events.event_data. */
  data: Record<string, unknown>;
  /** Suffix that makes the event id unique when a type can occur more than once. */
  occurrence?: string;
  createdBy?: string;
}

export async function recordStatusChange(
  deps: ActivityDeps,
  order: OrderRef,
  change: StatusChange,
): Promise<{ eventId: string }> {
  const eventId = orderEventId(
    order.orderId,
    change.eventType + (change.occurrence ? `:${change.occurrence}` : ''),
  );
  const occurredAt = deps.clock().toISOString();

  const status = await deps.db.transaction().execute(async (trx) => {
    if (change.status) {
      await trx
        .updateTable('orders')
        .set({ status: change.status, updated_at: occurredAt })
        .where('order_id', '=', order.orderId)
        .execute();
    }
    await trx
      .insertInto('order_events')
      .values({
        event_id: eventId,
        order_id: order.orderId,
        event_type: change.eventType,
        event_data: {
          ...change.data,
          ...(change.status ? { status: change.status } : {}),
        },
        created_by: change.createdBy ?? 'order-workflow',
      })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .execute();
    const row = await trx
      .selectFrom('orders')
      .select('status')
      .where('order_id', '=', order.orderId)
      .executeTakeFirstOrThrow();
    return row.status;
  });

  const topic = topicFor(change.eventType);
  if (topic) {
    const produced = deps.metrics?.kafkaProduce.startTimer({ topic });
    await deps.events.publish({
      event_id: eventId,
      event_type: change.eventType,
      order_id: order.orderId,
      user_id: order.userId,
      status,
      occurred_at: occurredAt,
      ...change.data,
    } as OrderEvent);
    produced?.();
  }

  if (change.status) {
    await deps.status.publish({
      type: 'order.update',
      event_id: eventId,
      order_id: order.orderId,
      user_id: order.userId,
      status: change.status,
      message: STATUS_MESSAGES[change.status],
      timestamp: occurredAt,
      data: change.data,
    });
  }
  return { eventId };
}
