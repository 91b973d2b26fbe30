/**
 * The order use cases behind the routes. Thin by design: the API validates shape, records the
 * order and starts its workflow; stock, prices and payment are the saga's business (it fails
 * the order with a reason). Every read is scoped to the caller: another user's order is "not
 * found", never "forbidden", so its existence is not revealed.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import { insertNewOrder } from '../../db/queries/orders';
import { POINT_OF_NO_RETURN, type OrderStatus } from '../../src/contract/orders';
import { parseMoney } from '../../src/domain/money';
import type { CreateOrderBody, OrderWorkflowInput } from '../../src/domain/order';
import type { Clock } from '../deps';
import { isPrivileged, type AuthContext } from '../env';
import {
  ForbiddenError,
  IdempotencyKeyConflictError,
  NotFoundError,
  OrderNotCancellableError,
  ValidationError,
} from '../errors';
import { workflowInputFromRow } from '../../db/order-rows';
import type { OrderCache } from './order-cache';
import { findOrder, findOrderEvents, findOrderOwnerAndStatus, listOrders } from './order-queries';
import {
  detailFromCache,
  detailToCache,
  eventFromRow,
  orderFromInput,
  orderFromRow,
  summaryFromRow,
  type OrderDetailView,
  type OrderSummaryView,
  type OrderView,
} from './order-views';
import type { OrderWorkflows } from './workflows';

/** DECIMAL(10,2): the largest amount a column can hold, in cents. */
const MAX_CENTS = 9_999_999_999;

export interface CreatedOrder {
  order: OrderView;
  /** True when an earlier request with the same Idempotency-Key created it. */
  replayed: boolean;
}

export interface OrderListing {
  data: OrderSummaryView[];
  next_cursor: string | null;
}

interface Deps {
  db: Db;
  cache: OrderCache;
  workflows: OrderWorkflows;
  clock: Clock;
}

class IdempotencyRace extends Error {
  override readonly name = 'IdempotencyRace';
}

function toWorkflowInput(
  userId: string,
  body: CreateOrderBody,
  orderId: string,
  createdAt: string,
): OrderWorkflowInput {
  const items = body.items.map((i) => ({
    productId: i.product_id,
    quantity: i.quantity,
    unitPriceCents: parseMoney(i.price),
  }));
  const totalCents = items.reduce((sum, i) => sum + i.unitPriceCents * i.quantity, 0);
  if (totalCents > MAX_CENTS) {
    throw new ValidationError([{ path: 'items', message: 'order total exceeds 99999999.99' }]);
  }
  return {
    orderId,
    userId,
    items,
    totalCents,
    shippingAddress: body.shipping_address,
    paymentMethod: body.payment_method,
    createdAt,
  };
}

/** What makes two requests "the same" for an Idempotency-Key: the order's content, normalised. */
function requestHash(input: OrderWorkflowInput): string {
  const a = input.shippingAddress;
  const canonical = JSON.stringify([
    input.items.map((i) => [i.productId, i.quantity, i.unitPriceCents]),
    [a.street, a.city, a.state, a.zip, a.country],
    input.paymentMethod,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

const canSee = (auth: AuthContext, ownerId: string) =>
  isPrivileged(auth) || auth.userId === ownerId;

export function createOrdersService({ db, cache, workflows, clock }: Deps) {
  async function findKey(auth: AuthContext, key: string) {
    return db
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'order_id'])
      .where('user_id', '=', auth.userId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
  }

  async function replay(
    saved: { request_hash: string; order_id: string },
    key: string,
    hash: string,
  ): Promise<CreatedOrder> {
    if (saved.request_hash !== hash) {
      throw new IdempotencyKeyConflictError(
        `key ${key} was first used for order ${saved.order_id} with another body`,
      );
    }
    const row = await findOrder(db, saved.order_id);
    if (!row) throw new NotFoundError('the order of this Idempotency-Key no longer exists');
    // A pending order may be one whose first request died between commit and start: make sure
    // its workflow runs. Starting is idempotent; an order past pending certainly has one.
    if (row.status === 'pending') await workflows.start(workflowInputFromRow(row));
    return { order: orderFromRow(row), replayed: true };
  }

  return {
    async create(
      auth: AuthContext,
      body: CreateOrderBody,
      idempotencyKey?: string,
    ): Promise<CreatedOrder> {
      const input = toWorkflowInput(auth.userId, body, randomUUID(), clock.now().toISOString());
      const hash = requestHash(input);
      const earlier = idempotencyKey ? await findKey(auth, idempotencyKey) : undefined;
      if (earlier && idempotencyKey) return replay(earlier, idempotencyKey, hash);
      try {
        await db.transaction().execute(async (trx) => {
          await insertNewOrder(trx, input);
          if (!idempotencyKey) return;
          const claimed = await trx
            .insertInto('idempotency_keys')
            .values({
              user_id: auth.userId,
              idempotency_key: idempotencyKey,
              request_hash: hash,
              order_id: input.orderId,
            })
            .onConflict((oc) => oc.columns(['user_id', 'idempotency_key']).doNothing())
            .returning('order_id')
            .executeTakeFirst();
          // A concurrent request with the same key committed first: drop ours, answer with theirs.
          if (!claimed) throw new IdempotencyRace();
        });
      } catch (err) {
        const winner =
          err instanceof IdempotencyRace && idempotencyKey
            ? await findKey(auth, idempotencyKey)
            : undefined;
        if (!winner || !idempotencyKey) throw err;
        return replay(winner, idempotencyKey, hash);
      }
      await workflows.start(input);
      return { order: orderFromInput(input), replayed: false };
    },

    async get(auth: AuthContext, orderId: string): Promise<OrderDetailView> {
      const cached = await cache.get(orderId);
      if (cached) {
        if (!canSee(auth, cached.user_id ?? ''))
          throw new NotFoundError(`order ${orderId} not found`);
        return detailFromCache(cached);
      }
      const fill = await cache.beginFill(orderId);
      const [row, events] = await Promise.all([
        findOrder(db, orderId),
        findOrderEvents(db, orderId),
      ]);
      if (!row) throw new NotFoundError(`order ${orderId} not found`);
      const detail: OrderDetailView = { ...orderFromRow(row), events: events.map(eventFromRow) };
      if (fill) await cache.commitFill(orderId, fill, detailToCache(detail));
      if (!canSee(auth, row.user_id)) throw new NotFoundError(`order ${orderId} not found`);
      return detail;
    },

    async list(
      auth: AuthContext,
      q: { status?: OrderStatus; limit: number; cursor?: string; user_id?: string },
    ): Promise<OrderListing> {
      if (q.user_id && q.user_id !== auth.userId && !isPrivileged(auth)) {
        throw new ForbiddenError('only admins may list other users\u2019 orders');
      }
      const userId = isPrivileged(auth) ? q.user_id : auth.userId;
      const { rows, nextCursor } = await listOrders(db, {
        ...(userId ? { userId } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        limit: q.limit,
      });
      return { data: rows.map(summaryFromRow), next_cursor: nextCursor };
    },

    async cancel(auth: AuthContext, orderId: string, reason?: string) {
      const order = await findOrderOwnerAndStatus(db, orderId);
      if (!order || !canSee(auth, order.user_id))
        throw new NotFoundError(`order ${orderId} not found`);
      if (POINT_OF_NO_RETURN.includes(order.status))
        throw new OrderNotCancellableError(order.status);
      const requestedBy =
        auth.role === 'system'
          ? 'system'
          : auth.role === 'admin'
            ? `admin:${auth.userId}`
            : auth.userId;
      const sent = await workflows.requestCancel(orderId, {
        reason:
          reason ?? (auth.role === 'user' ? 'cancelled by customer' : `cancelled by ${auth.role}`),
        requestedBy,
      });
      if (!sent) throw new OrderNotCancellableError('no longer running');
      return { order_id: orderId, status: order.status, cancellation: 'requested' as const };
    },
  };
}
export type OrdersService = ReturnType<typeof createOrdersService>;
