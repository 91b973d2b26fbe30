/**
 * `createApp(deps)` builds the whole HTTP API from injected clients: middleware, the route
 * groups, the OpenAPI 3.1 document (/openapi.json) and its reference page (/docs), /metrics,
 * and the single error handler. Serving it is src/cli/api.ts's job; tests call
 * `app.request()` on it directly.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import { createTokenSigner, createTokenVerifier, localKeySet } from '../src/auth/tokens';
import { createMetricsRegistry } from '../src/metrics';
import { systemClock, type AppDeps } from './deps';
import type { AppEnv } from './env';
import { errorHandler, notFoundHandler } from './errors';
import { requireAuth } from './middleware/auth';
import { requestLogging } from './middleware/logging';
import { httpMetrics } from './middleware/metrics';
import { requestId } from './middleware/request-id';
import { apiSecurityHeaders, docsSecurityHeaders } from './middleware/security-headers';
import { cors } from './middleware/cors';
import { bodyLimit } from './middleware/body-limit';
import { rateLimit } from './middleware/rate-limit';
import { createRateLimiter } from './rate-limits';
import { validationHook } from './router';
import { authRoutes } from './routes/auth';
import { defaultChecks, healthRoutes } from './routes/health';
import { jwksRoutes } from './routes/jwks';
import { ORDERS_BASE, orderRoutes } from './routes/orders';
import { productRoutes } from './routes/products';
import { webhookRoutes } from './routes/webhooks';
import { createAuthService } from './services/auth';
import { createOrderCache } from './services/order-cache';
import { createOrdersService } from './services/orders';
import { createOrderWorkflows } from './services/workflows';

export const API_VERSION = '1.0.0';

export function createApp(deps: AppDeps) {
  const { config, db, redis, temporal, keys, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const now = () => clock.now();
  const registry = deps.metrics ?? createMetricsRegistry('api');

  const tokenSettings = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE };
  const signer = createTokenSigner(
    keys,
    {
      ...tokenSettings,
      accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    },
    now,
  );
  const verifier = createTokenVerifier({ ...tokenSettings, getKey: localKeySet(keys), now });
  const limiter = config.RATE_LIMITS_ENABLED ? createRateLimiter(redis, logger) : undefined;
  const auth = createAuthService({
    db,
    signer,
    verifier,
    clock,
    logger,
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
  });
  const orders = createOrdersService({
    db,
    cache: createOrderCache(redis, logger),
    workflows: createOrderWorkflows(temporal, config.TEMPORAL_TASK_QUEUE),
    clock,
  });

  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const docsHeaders = docsSecurityHeaders();
  const apiHeaders = apiSecurityHeaders();

  app.use('*', requestId());
  app.use('*', requestLogging(logger));
  app.use('*', httpMetrics(registry));
  app.use('*', (c, next) => (c.req.path === '/docs' ? docsHeaders(c, next) : apiHeaders(c, next)));
  app.use('*', cors(config.CORS_ORIGINS));
  app.use('*', bodyLimit(config.MAX_BODY_BYTES));

  app.route(
    '/',
    healthRoutes(defaultChecks({ db, redis, temporal, kafkaBrokers: config.KAFKA_BROKERS })),
  );
  app.route('/', jwksRoutes(keys));
  app.route('/api/v1/auth', authRoutes(auth, limiter));
  app.route('/api/v1/products', productRoutes(db, limiter));
  app.route(ORDERS_BASE, orderRoutes(orders, verifier, limiter));
  if (deps.webhooks) {
    app.route(
      '/',
      webhookRoutes({
        db,
        ...deps.webhooks,
        auth: requireAuth(verifier),
        rateLimit: (name) => rateLimit(limiter, name),
        clock,
      }),
    );
  }

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Access token from POST /api/v1/auth/login (RS256, 15 minutes)',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Order platform API',
      version: API_VERSION,
      description:
        'Orders are durable Temporal workflows. Place one with POST /api/v1/orders, follow it with ' +
        'GET /api/v1/orders/{id} (or the WebSocket gateway), cancel it with DELETE before it ships. ' +
        'Errors are RFC 9457 problem details (application/problem+json).',
    },
    tags: [
      { name: 'auth', description: 'Accounts and sessions' },
      { name: 'products', description: 'The catalogue' },
      { name: 'orders', description: 'Placing, following and cancelling orders' },
      { name: 'webhooks', description: 'Signed notifications of order events to your endpoints' },
      { name: 'health', description: 'Liveness and readiness' },
    ],
  });

  const scalar = Scalar<AppEnv>({ url: '/openapi.json', pageTitle: 'Order platform API' });
  app.get('/docs', async (c, next) => {
    const page = await scalar(c, next);
    if (!(page instanceof Response)) return c.notFound();
    const nonce = c.get('secureHeadersNonce') ?? '';
    return c.html((await page.text()).replaceAll('<script', `<script nonce="${nonce}"`));
  });

  app.get('/metrics', async (c) =>
    c.body(await registry.metrics(), 200, { 'Content-Type': registry.contentType }),
  );

  app.notFound(notFoundHandler);
  app.onError(errorHandler(logger));
  return app;
}

export type App = ReturnType<typeof createApp>;
