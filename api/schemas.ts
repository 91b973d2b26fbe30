/**
 * The API's wire schemas: one zod schema per request and response shape. They validate at the
 * edge and generate the OpenAPI 3.1 document, so the document cannot drift from the code.
 * Money is always a decimal string with two places ("19.99").
 */
import { z } from '@hono/zod-openapi';
import { ROLES } from '../src/auth/claims';
import { ORDER_STATUSES } from '../src/contract/orders';
import { createOrderBody } from '../src/domain/order';
import { PROBLEM_CONTENT_TYPE } from './errors';

const money = z.string().openapi({ example: '19.99', description: 'Decimal amount, two places' });
const timestamp = z.string().openapi({ format: 'date-time', example: '2026-11-26T10:30:00.000Z' });

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:order-platform:problem:validation-error' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    request_id: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    retry_after: z.number().int().optional(),
    order_status: z.string().optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details' });

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': {
    schema: { type: 'integer' as const },
    description: 'Requests allowed in the window',
  },
  'X-RateLimit-Remaining': {
    schema: { type: 'integer' as const },
    description: 'Requests left in the window',
  },
  'X-RateLimit-Reset': {
    schema: { type: 'integer' as const },
    description: 'Unix time (s) when a request is next allowed',
  },
};

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (bad JSON, query or path parameter)',
  401: 'Missing, invalid or expired credentials',
  403: 'Not allowed for this role',
  404: 'Not found (or not yours)',
  409: 'Conflict with the current state',
  413: 'Body larger than the limit',
  415: 'Body is not application/json',
  422: 'Body failed validation',
  429: 'Rate limit reached; see Retry-After',
  503: 'A backing service is unavailable',
};

/** The problem+json responses a route can answer, for the OpenAPI document. */
export function problems(...codes: number[]) {
  return Object.fromEntries(
    codes.map((code) => [
      code,
      {
        description: PROBLEM_DESCRIPTIONS[code] ?? 'Problem',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
        ...(code === 429
          ? {
              headers: {
                ...RATE_LIMIT_HEADERS,
                'Retry-After': { schema: { type: 'integer' as const } },
              },
            }
          : {}),
      },
    ]),
  );
}

type HeaderDoc = { schema: { type: 'string' | 'integer' }; description?: string };

export function json<T extends z.ZodType>(
  schema: T,
  description: string,
  rateLimited = true,
  headers: Record<string, HeaderDoc> = {},
) {
  return {
    description,
    content: { 'application/json': { schema } },
    headers: { ...(rateLimited ? RATE_LIMIT_HEADERS : {}), ...headers },
  };
}

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

// ---- auth ----------------------------------------------------------------------------------
const email = z
  .email()
  .max(255)
  .transform((v) => v.trim().toLowerCase())
  .openapi({ example: 'jane@example.com' });
/** OWASP: at least 8 characters, allow long passphrases, cap the cost of hashing. */
const password = z.string().min(8).max(128).openapi({ example: 'correct horse battery' });

export const RegisterBody = z
  .object({
    email,
    password,
    full_name: z.string().trim().min(1).max(255).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ()-]{4,20}$/)
      .max(20)
      .optional(),
  })
  .openapi('RegisterRequest');

export const LoginBody = z
  .object({ email, password: z.string().min(1).max(128) })
  .openapi('LoginRequest');

export const RefreshBody = z
  .object({ refresh_token: z.string().min(1).max(4096) })
  .openapi('RefreshRequest');

export const UserSchema = z
  .object({
    user_id: z.uuid(),
    email: z.string(),
    full_name: z.string().nullable(),
    phone: z.string().nullable(),
    role: z.enum(ROLES),
    created_at: timestamp,
  })
  .openapi('User');

export const TokenPairSchema = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().openapi({ description: 'Seconds the access token lives' }),
    refresh_expires_in: z.number().int(),
  })
  .openapi('TokenPair');

// ---- products -------------------------------------------------------------------------------
export const ProductSchema = z
  .object({
    product_id: z.uuid(),
    sku: z.string(),
    name: z.string(),
    price: money,
    stock: z.number().int(),
  })
  .openapi('Product');

export const ProductListSchema = z.object({ data: z.array(ProductSchema) }).openapi('ProductList');

// ---- orders ---------------------------------------------------------------------------------
export const CreateOrderBody = createOrderBody.openapi('CreateOrderRequest');

export const OrderIdParams = z.object({
  id: z.uuid().openapi({
    param: { name: 'id', in: 'path' },
    example: '0f8fad5b-d9cb-469f-a165-70867728950e',
  }),
});

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional()
    .openapi({
      description:
        'Same key and body: the same order, nothing started twice. Same key, other body: 409.',
    }),
});

const orderStatus = z.enum(ORDER_STATUSES);

const OrderItemSchema = z.object({
  product_id: z.uuid(),
  quantity: z.number().int(),
  unit_price: money,
  total_price: money,
});

const AddressSchema = z.object({
  street: z.string(),
  city: z.string(),
  state: z.string(),
  zip: z.string(),
  country: z.string(),
});

export const OrderSchema = z
  .object({
    order_id: z.uuid(),
    user_id: z.uuid(),
    status: orderStatus,
    total_amount: money,
    items: z.array(OrderItemSchema),
    shipping_address: AddressSchema,
    payment_method: z.string(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .openapi('Order');

export const OrderEventSchema = z
  .object({
    event_id: z.uuid(),
    event_type: z.string().openapi({ example: 'order.shipped' }),
    event_data: z.record(z.string(), z.unknown()),
    created_at: timestamp,
    created_by: z.string().nullable(),
  })
  .openapi('OrderEvent');

export const OrderDetailSchema = OrderSchema.extend({ events: z.array(OrderEventSchema) }).openapi(
  'OrderDetail',
);

export const OrderSummarySchema = z
  .object({
    order_id: z.uuid(),
    user_id: z.uuid(),
    status: orderStatus,
    total_amount: money,
    item_count: z.number().int(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .openapi('OrderSummary');

export const OrderListQuery = z.object({
  status: orderStatus.optional().openapi({ param: { name: 'status', in: 'query' } }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .openapi({ param: { name: 'limit', in: 'query' }, example: 20 }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({
      param: { name: 'cursor', in: 'query' },
      description: 'next_cursor of the previous page',
    }),
  user_id: z
    .uuid()
    .optional()
    .openapi({ param: { name: 'user_id', in: 'query' }, description: 'Admin only: whose orders' }),
});

export const OrderListSchema = z
  .object({ data: z.array(OrderSummarySchema), next_cursor: z.string().nullable() })
  .openapi('OrderList');

export const CancelQuery = z.object({
  reason: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .openapi({ param: { name: 'reason', in: 'query' }, example: 'changed my mind' }),
});

export const CancelAcceptedSchema = z
  .object({
    order_id: z.uuid(),
    status: orderStatus,
    cancellation: z.literal('requested'),
  })
  .openapi('CancelAccepted');

// ---- health ---------------------------------------------------------------------------------
const CheckSchema = z.object({
  status: z.enum(['ok', 'fail']),
  latency_ms: z.number(),
  error: z.string().optional(),
});

export const ReadinessSchema = z
  .object({
    status: z.enum(['ok', 'fail']),
    checks: z.record(z.string(), CheckSchema),
  })
  .openapi('Readiness');

export const LivenessSchema = z.object({ status: z.literal('ok') }).openapi('Liveness');
