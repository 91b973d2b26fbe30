import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMITS, type RateLimitName } from '../../../api/rate-limits';
import { call, quickUser, orderBody, randomIp, register, startApi, type TestApi } from './fixtures';

let api: TestApi;
beforeAll(async () => {
  api = await startApi({ env: { RATE_LIMITS_ENABLED: 'true' } });
});
afterAll(() => api?.close());

type Request = () => Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;

/** Sends `limit` admitted requests, then expects the next to be refused with full headers. */
async function reachLimit(name: RateLimitName, send: Request) {
  const { limit } = RATE_LIMITS[name];
  for (let i = 1; i <= limit; i++) {
    const res = await send();
    expect(res.status, `request ${i} of ${limit}`).not.toBe(429);
    expect(res.headers.get('x-ratelimit-limit')).toBe(String(limit));
    expect(res.headers.get('x-ratelimit-remaining')).toBe(String(limit - i));
  }
  const refused = await send();
  expect(refused.status).toBe(429);
  expect(refused.headers.get('content-type')).toBe('application/problem+json');
  expect(refused.body.type).toBe('urn:order-platform:problem:rate-limited');
  expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
  const retryAfter = Number(refused.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(RATE_LIMITS[name].windowSeconds);
  const reset = Number(refused.headers.get('x-ratelimit-reset'));
  expect(reset).toBeGreaterThan(Date.now() / 1000);
  return refused;
}

describe('rate limits (sliding window in Redis)', () => {
  it('login: 10 per minute per address', async () => {
    const ip = randomIp();
    const { email } = await register(api.app);
    await reachLimit('auth.login', () =>
      call(api.app, 'POST', '/api/v1/auth/login', {
        ip,
        body: { email, password: 'wrong-password' },
      }),
    );
    // Another address is not affected.
    const other = await call(api.app, 'POST', '/api/v1/auth/login', {
      body: { email, password: 'wrong-password' },
    });
    expect(other.status).toBe(401);
  });

  it('register: 10 per hour per address', async () => {
    const ip = randomIp();
    await reachLimit('auth.register', () =>
      call(api.app, 'POST', '/api/v1/auth/register', {
        ip,
        body: { email: `rl-${randomUUID()}@example.com`, password: 'long enough pw' },
      }),
    );
  });

  it('refresh and logout: 30 per minute per address', async () => {
    const ip = randomIp();
    await reachLimit('auth.refresh', () =>
      call(api.app, 'POST', '/api/v1/auth/refresh', { ip, body: { refresh_token: 'x.y.z' } }),
    );
    await reachLimit('auth.logout', () =>
      call(api.app, 'POST', '/api/v1/auth/logout', { ip, body: { refresh_token: 'x.y.z' } }),
    );
  });

  it('products: 100 per minute', async () => {
    const ip = randomIp();
    await reachLimit('products.list', () => call(api.app, 'GET', '/api/v1/products', { ip }));
  });

  it('orders: 20 creates, 100 reads, 100 lists and 20 cancels per minute per user', async () => {
    const user = await quickUser(api);
    const as = { token: user.access, ip: user.ip };
    await reachLimit('orders.create', () =>
      call(api.app, 'POST', '/api/v1/orders', { ...as, body: orderBody() }),
    );
    const missing = randomUUID();
    await reachLimit('orders.get', () => call(api.app, 'GET', `/api/v1/orders/${missing}`, as));
    await reachLimit('orders.list', () => call(api.app, 'GET', '/api/v1/orders?limit=1', as));
    await reachLimit('orders.cancel', () =>
      call(api.app, 'DELETE', `/api/v1/orders/${missing}`, as),
    );
    // Limits are per user: the same address with another account still gets through.
    const other = await quickUser(api);
    expect(
      (await call(api.app, 'GET', '/api/v1/orders', { token: other.access, ip: user.ip })).status,
    ).toBe(200);
  });
});

describe('when the limiter cannot decide', () => {
  it('is off entirely with RATE_LIMITS_ENABLED=false', async () => {
    const off = await startApi({ env: { RATE_LIMITS_ENABLED: 'false' } });
    try {
      const ip = randomIp();
      for (let i = 0; i < RATE_LIMITS['products.list'].limit + 5; i++) {
        const res = await call(off.app, 'GET', '/api/v1/products', { ip });
        expect(res.status).toBe(200);
        expect(res.headers.get('x-ratelimit-limit')).toBeNull();
      }
    } finally {
      await off.close();
    }
  });

  it('fails open when Redis is unreachable: the API keeps answering', async () => {
    const down = await startApi({
      env: { RATE_LIMITS_ENABLED: 'true', REDIS_URL: 'redis://127.0.0.1:1' },
    });
    try {
      const user = await quickUser(down);
      const res = await call(down.app, 'GET', '/api/v1/orders', {
        token: user.access,
        ip: user.ip,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit')).toBeNull();
      const orderId = (
        await call(down.app, 'POST', '/api/v1/orders', {
          token: user.access,
          ip: user.ip,
          body: orderBody(),
        })
      ).body.order_id as string;
      expect(
        (
          await call(down.app, 'GET', `/api/v1/orders/${orderId}`, {
            token: user.access,
            ip: user.ip,
          })
        ).status,
      ).toBe(200);
    } finally {
      await down.close();
    }
  });
});
