/**
 * The webhook routes: register, list, read, change, delete, the delivery log, and a test
 * ping. `webhookRoutes(deps)` returns an OpenAPIHono sub-app with absolute paths; the app
 * mounts it with `app.route('/', webhookRoutes(...))`. Each route runs `deps.auth` (the
 * API's requireAuth) and then its named rate limit; the rules are WEBHOOK_RATE_LIMITS below.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Db } from '../../db/client';
import type { AttemptSettings } from '../../src/webhooks/attempt';
import { SUBSCRIBABLE_EVENT_TYPES } from '../../src/webhooks/event-types';
import type { SecretBox } from '../../src/webhooks/secret-box';
import {
  createWebhookService,
  WebhookInputError,
  WebhookNotFoundError,
  type Caller,
} from '../../src/webhooks/service';
import { MAX_URL_LENGTH } from '../../src/webhooks/ssrf';
import type { Clock } from '../deps';
import { isPrivileged, type AppEnv, type AuthContext, type AuthedEnv } from '../env';
import { NotFoundError, ValidationError } from '../errors';
import type { RateRule } from '../rate-limits';
import { router } from '../router';
import { json, jsonBody, problems } from '../schemas';

/** The limits, per user; spread into the API's RATE_LIMITS to enable them. */
export const WEBHOOK_RATE_LIMITS = {
  'webhooks.create': { limit: 10, windowSeconds: 3600, by: 'user' },
  'webhooks.list': { limit: 100, windowSeconds: 60, by: 'user' },
  'webhooks.deliveries': { limit: 100, windowSeconds: 60, by: 'user' },
  'webhooks.update': { limit: 20, windowSeconds: 60, by: 'user' },
  'webhooks.test': { limit: 10, windowSeconds: 60, by: 'user' },
} as const satisfies Record<string, RateRule>;
export type WebhookRateLimitName = keyof typeof WEBHOOK_RATE_LIMITS;

export interface WebhookRouteDeps {
  db: Db;
  secrets: SecretBox;
  /** SSRF policy, delivery timeout and response cap, as the dispatcher uses them. */
  attempt: AttemptSettings;
  /** Authentication: sets `c.get('auth')` or refuses (the API's requireAuth). */
  auth: MiddlewareHandler<AppEnv & AuthedEnv>;
  /** The API's limiter for a named rule, e.g. `(name) => rateLimit(limiter, name)`. */
  rateLimit?: (name: WebhookRateLimitName) => MiddlewareHandler<AppEnv>;
  clock?: Clock;
}

// ---- wire schemas --------------------------------------------------------------------------
const timestamp = z.string().openapi({ format: 'date-time', example: '2026-11-26T10:30:00.000Z' });
const eventTypes = z
  .array(z.enum(SUBSCRIBABLE_EVENT_TYPES))
  .min(1)
  .max(SUBSCRIBABLE_EVENT_TYPES.length)
  .openapi({
    example: ['order.shipped', 'order.delivered'],
    description: 'Event types, or ["*"] for all',
  });
const url = z.string().trim().min(1).max(MAX_URL_LENGTH).openapi({
  example: 'https://example.com/hooks/orders',
  description: 'https in production; public addresses only',
});
const secret = z.string().openapi({
  example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  description: 'Standard Webhooks signing secret; shown only when created or rotated',
});

const RegisterWebhookBody = z
  .object({
    url,
    event_types: eventTypes,
    secret: z.string().max(100).optional().openapi({
      description: 'Your own whsec_ secret (base64 of 24 to 64 bytes); generated when absent',
    }),
  })
  .openapi('RegisterWebhookRequest');

const UpdateWebhookBody = z
  .object({
    url: url.optional(),
    event_types: eventTypes.optional(),
    is_active: z
      .boolean()
      .optional()
      .openapi({ description: 'true re-activates and clears disabled_reason' }),
    rotate_secret: z
      .boolean()
      .optional()
      .openapi({ description: 'true: a new secret, returned once' }),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'at least one field to change')
  .openapi('UpdateWebhookRequest');

const WebhookSchema = z
  .object({
    webhook_id: z.uuid(),
    url: z.string(),
    event_types: z.array(z.string()),
    is_active: z.boolean(),
    disabled_reason: z
      .string()
      .nullable()
      .openapi({ description: 'Why the platform deactivated it' }),
    disabled_at: timestamp.nullable(),
    failing_since: timestamp.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .openapi('Webhook');

const WebhookWithSecretSchema = WebhookSchema.extend({ secret }).openapi('WebhookWithSecret');
const WebhookMaybeSecretSchema = WebhookSchema.extend({ secret: secret.optional() }).openapi(
  'WebhookUpdated',
);
const WebhookListSchema = z.object({ data: z.array(WebhookSchema) }).openapi('WebhookList');

const DeliveryLogSchema = z
  .object({
    log_id: z.uuid(),
    event_id: z.string().nullable(),
    event_type: z.string(),
    order_id: z.string().nullable(),
    attempt: z.number().int(),
    status: z.enum(['succeeded', 'retrying', 'failed']),
    response_status: z.number().int().nullable(),
    response_body: z.string().nullable().openapi({ description: 'Truncated to 2048 characters' }),
    latency_ms: z.number().int().nullable(),
    error: z.string().nullable(),
    created_at: timestamp,
  })
  .openapi('WebhookDeliveryAttempt');

const DeliveryLogListSchema = z
  .object({ data: z.array(DeliveryLogSchema), next_cursor: z.string().nullable() })
  .openapi('WebhookDeliveryLog');

const PingResultSchema = z
  .object({
    delivered: z.boolean(),
    response_status: z.number().int().nullable(),
    latency_ms: z.number().int().nullable(),
    error: z.string().nullable(),
  })
  .openapi('WebhookPingResult');

const WebhookIdParams = z.object({
  id: z.uuid().openapi({
    param: { name: 'id', in: 'path' },
    example: '0f8fad5b-d9cb-469f-a165-70867728950e',
  }),
});

const DeliveriesQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(50)
    .openapi({ param: { name: 'limit', in: 'query' }, example: 50 }),
  cursor: z
    .string()
    .max(200)
    .optional()
    .openapi({
      param: { name: 'cursor', in: 'query' },
      description: 'next_cursor of the previous page',
    }),
});

// ---- routes --------------------------------------------------------------------------------
const security = [{ bearerAuth: [] }];
const tags = ['webhooks'];

function caller(auth: AuthContext): Caller {
  return { userId: auth.userId, privileged: isPrivileged(auth) };
}

function toApiError(err: unknown): unknown {
  if (err instanceof WebhookNotFoundError) return new NotFoundError(err.message);
  if (err instanceof WebhookInputError)
    return new ValidationError([{ path: err.field, message: err.message }]);
  return err;
}

async function mapped<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw toApiError(err);
  }
}

export function webhookRoutes(deps: WebhookRouteDeps) {
  const service = createWebhookService({
    db: deps.db,
    secrets: deps.secrets,
    attempt: deps.attempt,
    ...(deps.clock ? { clock: () => deps.clock!.now() } : {}),
  });
  const pass: MiddlewareHandler<AppEnv> = (_c, next) => next();
  const limit = (name: WebhookRateLimitName) => (deps.rateLimit ? deps.rateLimit(name) : pass);
  const guard = (
    name: WebhookRateLimitName,
  ): [MiddlewareHandler<AppEnv & AuthedEnv>, MiddlewareHandler<AppEnv>] => [deps.auth, limit(name)];

  const app = router();

  return app
    .openapi(
      createRoute({
        method: 'post',
        path: '/api/v1/webhooks',
        tags,
        security,
        summary: 'Register a webhook; the signing secret is returned once',
        middleware: guard('webhooks.create'),
        request: { body: jsonBody(RegisterWebhookBody) },
        responses: {
          201: json(WebhookWithSecretSchema, 'Registered'),
          ...problems(400, 401, 415, 422, 429),
        },
      }),
      async (c) => {
        const { webhook, secret } = await mapped(
          service.register(caller(c.get('auth')), c.req.valid('json')),
        );
        c.header('Location', `/api/v1/webhooks/${webhook.webhook_id}`);
        return c.json({ ...webhook, secret }, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/api/v1/webhooks',
        tags,
        security,
        summary: "The caller's webhooks",
        middleware: guard('webhooks.list'),
        responses: {
          200: json(WebhookListSchema, 'Webhooks, newest first'),
          ...problems(401, 429),
        },
      }),
      async (c) => c.json({ data: await service.list(caller(c.get('auth'))) }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/api/v1/webhooks/{id}',
        tags,
        security,
        summary: 'One webhook, with why it was disabled if it was',
        middleware: guard('webhooks.list'),
        request: { params: WebhookIdParams },
        responses: { 200: json(WebhookSchema, 'The webhook'), ...problems(400, 401, 404, 429) },
      }),
      async (c) =>
        c.json(await mapped(service.get(caller(c.get('auth')), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/api/v1/webhooks/{id}/deliveries',
        tags,
        security,
        summary: 'The delivery log: one entry per attempt, newest first',
        middleware: guard('webhooks.deliveries'),
        request: { params: WebhookIdParams, query: DeliveriesQuery },
        responses: {
          200: json(DeliveryLogListSchema, 'Attempts, newest first'),
          ...problems(400, 401, 404, 422, 429),
        },
      }),
      async (c) => {
        const { limit: size, cursor } = c.req.valid('query');
        const page = await mapped(
          service.deliveries(caller(c.get('auth')), c.req.valid('param').id, size, cursor),
        );
        return c.json(page, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/api/v1/webhooks/{id}',
        tags,
        security,
        summary: 'Change event types or URL, deactivate or re-activate, rotate the secret',
        middleware: guard('webhooks.update'),
        request: { params: WebhookIdParams, body: jsonBody(UpdateWebhookBody) },
        responses: {
          200: json(WebhookMaybeSecretSchema, 'Updated'),
          ...problems(400, 401, 404, 415, 422, 429),
        },
      }),
      async (c) => {
        const { webhook, secret: rotated } = await mapped(
          service.update(caller(c.get('auth')), c.req.valid('param').id, c.req.valid('json')),
        );
        return c.json({ ...webhook, ...(rotated ? { secret: rotated } : {}) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/api/v1/webhooks/{id}',
        tags,
        security,
        summary: 'Delete a webhook and its delivery log; pending deliveries are dropped',
        middleware: guard('webhooks.update'),
        request: { params: WebhookIdParams },
        responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 404, 429) },
      }),
      async (c) => {
        await mapped(service.remove(caller(c.get('auth')), c.req.valid('param').id));
        return c.body(null, 204);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/api/v1/webhooks/{id}/test',
        tags,
        security,
        summary: 'Send a signed webhook.ping now (one attempt, logged, not retried)',
        middleware: guard('webhooks.test'),
        request: { params: WebhookIdParams },
        responses: {
          200: json(PingResultSchema, 'What the endpoint answered'),
          ...problems(400, 401, 404, 429),
        },
      }),
      async (c) =>
        c.json(await mapped(service.ping(caller(c.get('auth')), c.req.valid('param').id)), 200),
    );
}
