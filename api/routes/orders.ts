/**
 * /api/v1/orders: create (starts the order's workflow), read, list, cancel (signals it).
 * Handlers only validate, call the orders service and answer.
 */
import { createRoute } from '@hono/zod-openapi';
import type { TokenVerifier } from '../../src/auth/tokens';
import { requireAuth } from '../middleware/auth';
import { rateLimit } from '../middleware/rate-limit';
import type { RateLimiter } from '../rate-limits';
import { router } from '../router';
import {
  CancelAcceptedSchema,
  CancelQuery,
  CreateOrderBody,
  IdempotencyHeaders,
  json,
  jsonBody,
  OrderDetailSchema,
  OrderIdParams,
  OrderListQuery,
  OrderListSchema,
  OrderSchema,
  problems,
} from '../schemas';
import type { OrdersService } from '../services/orders';

export const ORDERS_BASE = '/api/v1/orders';

export function orderRoutes(
  orders: OrdersService,
  verifier: TokenVerifier,
  limiter: RateLimiter | undefined,
) {
  const authed = requireAuth(verifier);
  const security = [{ bearerAuth: [] }];

  const create = createRoute({
    method: 'post',
    path: '/',
    tags: ['orders'],
    summary: 'Place an order',
    description:
      'Records the order and starts its workflow, then answers 202: the saga (validate, charge, reserve, ' +
      'fulfill, notify) runs asynchronously; poll GET /orders/{id} or watch the WebSocket for its status.',
    security,
    middleware: [authed, rateLimit(limiter, 'orders.create')] as const,
    request: { headers: IdempotencyHeaders, body: jsonBody(CreateOrderBody) },
    responses: {
      202: json(OrderSchema, 'Accepted: the order is recorded and its workflow started', true, {
        Location: { schema: { type: 'string' }, description: 'The order URL' },
        'Idempotent-Replayed': {
          schema: { type: 'string' },
          description: '"true" when an earlier request made it',
        },
      }),
      ...problems(400, 401, 409, 413, 415, 422, 429, 503),
    },
  });

  const get = createRoute({
    method: 'get',
    path: '/{id}',
    tags: ['orders'],
    summary: 'An order with its items, status and events',
    security,
    middleware: [authed, rateLimit(limiter, 'orders.get')] as const,
    request: { params: OrderIdParams },
    responses: { 200: json(OrderDetailSchema, 'The order'), ...problems(400, 401, 404, 429) },
  });

  const list = createRoute({
    method: 'get',
    path: '/',
    tags: ['orders'],
    summary: "The caller's orders, newest first (admins: anyone's)",
    security,
    middleware: [authed, rateLimit(limiter, 'orders.list')] as const,
    request: { query: OrderListQuery },
    responses: { 200: json(OrderListSchema, 'A page of orders'), ...problems(400, 401, 403, 429) },
  });

  const cancel = createRoute({
    method: 'delete',
    path: '/{id}',
    tags: ['orders'],
    summary: 'Cancel an order (before it ships)',
    description:
      'Sends the workflow its cancel signal and answers 202; the saga compensates (refund, release stock) ' +
      'and the order ends cancelled. Once shipped, delivered, cancelled or failed: 409.',
    security,
    middleware: [authed, rateLimit(limiter, 'orders.cancel')] as const,
    request: { params: OrderIdParams, query: CancelQuery },
    responses: {
      202: json(CancelAcceptedSchema, 'Cancellation requested'),
      ...problems(400, 401, 404, 409, 429, 503),
    },
  });

  return router()
    .openapi(create, async (c) => {
      const key = c.req.valid('header')['idempotency-key'];
      const { order, replayed } = await orders.create(c.get('auth'), c.req.valid('json'), key);
      c.header('Location', `${ORDERS_BASE}/${order.order_id}`);
      if (replayed) c.header('Idempotent-Replayed', 'true');
      return c.json(order, 202);
    })
    .openapi(get, async (c) =>
      c.json(await orders.get(c.get('auth'), c.req.valid('param').id), 200),
    )
    .openapi(list, async (c) => c.json(await orders.list(c.get('auth'), c.req.valid('query')), 200))
    .openapi(cancel, async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await orders.cancel(c.get('auth'), id, c.req.valid('query').reason), 202);
    });
}
