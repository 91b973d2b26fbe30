import { OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AppEnv } from '../../../api/env';
import { errorHandler, OrderNotCancellableError, RateLimitedError } from '../../../api/errors';
import { requestId } from '../../../api/middleware/request-id';
import { createLogger } from '../../../src/logger';

function appThrowing(err: unknown) {
  const lines: string[] = [];
  const logger = createLogger('test', 'error');
  const captured = logger.child({});
  captured.error = ((obj: unknown) => {
    lines.push(JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? v.message : v)));
  }) as typeof captured.error;
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', requestId());
  app.use('*', async (c, next) => {
    c.set('log', captured);
    await next();
  });
  app.get('/boom', () => {
    throw err;
  });
  app.onError(errorHandler(logger));
  return { app, lines };
}

describe('error responses', () => {
  it('turns an unexpected error into a generic 500 and keeps its detail in the log', async () => {
    const { app, lines } = appThrowing(
      new Error('connection to 10.0.0.7:5432 refused, password=hunter2'),
    );
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('10.0.0.7');
    expect(JSON.parse(text)).toMatchObject({
      type: 'urn:order-platform:problem:internal-error',
      status: 500,
    });
    expect(lines.join('\n')).toContain('hunter2');
  });

  it('answers a stray ZodError as a validation problem, not a 500', async () => {
    const parsed = z.object({ n: z.number() }).safeParse({ n: 'x' });
    const { app } = appThrowing(parsed.error);
    const res = await app.request('/boom');
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ errors: [{ path: 'n' }] });
  });

  it('carries Retry-After on 429 and the order status on a refused cancel', async () => {
    const limited = await appThrowing(new RateLimitedError(17, 20)).app.request('/boom');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('17');
    const refused = await appThrowing(new OrderNotCancellableError('shipped')).app.request('/boom');
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({
      type: 'urn:order-platform:problem:order-not-cancellable',
      order_status: 'shipped',
    });
  });

  it('gives every error class an explicit name', () => {
    expect(new RateLimitedError(1, 1).name).toBe('RateLimitedError');
    expect(new OrderNotCancellableError('x').name).toBe('OrderNotCancellableError');
  });
});
