/**
 * What the app decides on its own, before any backing service is involved: documents,
 * headers, routing, body and schema validation, authentication. The clients are lazy and
 * point at closed ports, so any accidental use of them would fail these tests.
 */
import { base64url, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../api/app';
import { generateSigningKeys } from '../../../src/auth/keys';
import { accessToken, config, offlineApp, PROBLEM, testKeys } from './fixtures';

let app: App;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await offlineApp());
});
afterAll(() => close());

const ORDER = {
  items: [{ product_id: '8f1d4c1e-7c51-4f55-9b57-0d6f6f0a0001', quantity: 1, price: '12.50' }],
  shipping_address: {
    street: '1 Main St',
    city: 'Springfield',
    state: 'IL',
    zip: '62701',
    country: 'US',
  },
  payment_method: 'card',
};

describe('documents', () => {
  it('serves an OpenAPI 3.1 document generated from the schemas', async () => {
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/register',
        '/api/v1/auth/login',
        '/api/v1/auth/refresh',
        '/api/v1/auth/logout',
        '/api/v1/products',
        '/api/v1/orders',
        '/api/v1/orders/{id}',
        '/health/live',
        '/health/ready',
        '/.well-known/jwks.json',
        '/api/v1/webhooks',
      ]),
    );
    expect(Object.keys(doc.paths['/api/v1/orders/{id}']!)).toEqual(
      expect.arrayContaining(['get', 'delete']),
    );
    expect(doc.components.schemas).toHaveProperty('Problem');
    expect(doc.components.schemas).toHaveProperty('CreateOrderRequest');
    expect(doc.components.securitySchemes).toHaveProperty('bearerAuth');
  });

  it('serves the reference page with a nonce-based CSP', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).not.toContain("script-src 'unsafe-inline'");
    const html = await res.text();
    expect(html).toContain('/openapi.json');
    const scripts = html.split('<script').length - 1;
    expect(scripts).toBeGreaterThan(0);
    expect(html.split(`<script nonce="${nonce}"`).length - 1).toBe(scripts);
  });

  it('publishes the public key set with the signing kid', async () => {
    const res = await app.request('/.well-known/jwks.json');
    const body = (await res.json()) as { keys: Array<Record<string, unknown>> };
    expect(body.keys[0]).toMatchObject({ kid: (await testKeys()).kid, alg: 'RS256', kty: 'RSA' });
    expect(body.keys[0]).not.toHaveProperty('d');
  });

  it('answers liveness without touching any service', async () => {
    const res = await app.request('/health/live');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('exposes Prometheus metrics with request counts by route and status', async () => {
    await app.request('/health/live');
    const text = await (await app.request('/metrics')).text();
    expect(text).toMatch(
      /http_requests_total\{[^}]*route="\/health\/live"[^}]*status="200"[^}]*\} \d+/,
    );
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});

describe('headers on every response', () => {
  it('sets a request id (or echoes a sane one) and security headers', async () => {
    const fresh = await app.request('/health/live');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await app.request('/health/live', { headers: { 'X-Request-Id': 'abc-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await app.request('/health/live', {
      headers: { 'X-Request-Id': 'bad id <script>' },
    });
    expect(replaced.headers.get('x-request-id')).not.toBe('bad id <script>');
    expect(fresh.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(fresh.headers.get('x-content-type-options')).toBe('nosniff');
    expect(fresh.headers.get('x-frame-options')).toBe('DENY');
    expect(fresh.headers.get('strict-transport-security')).toContain('max-age=');
  });

  it('allows CORS for configured origins only', async () => {
    const preflight = (origin: string) =>
      app.request('/api/v1/orders', {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization',
        },
      });
    const allowed = await preflight(config.CORS_ORIGINS[0]!);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(config.CORS_ORIGINS[0]);
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'idempotency-key',
    );
    const denied = await preflight('https://evil.example');
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('problems instead of crashes', () => {
  it('answers an unknown route with a 404 problem carrying the request id', async () => {
    const res = await app.request('/api/v1/nothing-here', {
      headers: { 'X-Request-Id': 'req-404' },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe(PROBLEM);
    expect(await res.json()).toMatchObject({
      type: 'urn:order-platform:problem:not-found',
      status: 404,
      request_id: 'req-404',
      instance: '/api/v1/nothing-here',
    });
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"email": "a@b.c", ',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe(PROBLEM);
    expect(await res.json()).toMatchObject({ type: 'urn:order-platform:problem:bad-request' });
  });

  it('refuses a body that is not JSON with 415', async () => {
    const res = await app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'email=a@b.c',
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({
      type: 'urn:order-platform:problem:unsupported-media-type',
    });
  });

  it('lists every schema violation with its path (422)', async () => {
    const res = await app.request('/api/v1/auth/register', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'not-an-email', password: 'short' }),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { errors: Array<{ path: string }> };
    expect(body.errors.map((e) => e.path).sort()).toEqual(['email', 'password']);
  });

  it('refuses a body over MAX_BODY_BYTES with 413, declared or streamed', async () => {
    const big = JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(config.MAX_BODY_BYTES) });
    const declared = await app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({
      type: 'urn:order-platform:problem:payload-too-large',
    });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await app.request('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });
});

describe('authentication', () => {
  const get = (token?: string) =>
    app.request(
      '/api/v1/orders',
      token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } },
    );

  it('asks for a bearer token (401 with a challenge)', async () => {
    const res = await get();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="order-platform"');
    expect(res.headers.get('content-type')).toBe(PROBLEM);
  });

  it('refuses tokens signed with another key, with HS256 or with alg none', async () => {
    const keys = await testKeys();
    const other = await generateSigningKeys();
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: '2b7f3f9e-4c1a-4d7e-9a55-0d1b6c1e2f30',
      role: 'admin',
      typ: 'access',
      jti: 'x',
      iss: config.JWT_ISSUER,
      aud: config.JWT_AUDIENCE,
      iat: now,
      exp: now + 600,
    };
    const foreign = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: keys.kid })
      .sign(other.privateKey);
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: keys.kid })
      .sign(new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'));
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', kid: keys.kid }))}.${base64url.encode(JSON.stringify(claims))}.`;
    for (const token of [foreign, hs256, none]) {
      const res = await get(token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
  });

  it('says when an access token has expired', async () => {
    const issuedAt = new Date(Date.now() - 16 * 60_000);
    const res = await get(await accessToken('user', () => issuedAt));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ type: 'urn:order-platform:problem:token-expired' });
  });

  it('validates path and query parameters after authentication (400)', async () => {
    const token = await accessToken();
    const badId = await app.request('/api/v1/orders/not-a-uuid', {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(badId.status).toBe(400);
    expect(await badId.json()).toMatchObject({
      type: 'urn:order-platform:problem:validation-error',
    });
    const badLimit = await app.request('/api/v1/orders?limit=1000&status=lost', {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(badLimit.status).toBe(400);
  });

  it('validates an order body before recording anything (422)', async () => {
    const token = await accessToken();
    const post = (body: unknown) =>
      app.request('/api/v1/orders', {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const cases = [
      { ...ORDER, items: [] },
      { ...ORDER, items: [{ ...ORDER.items[0], quantity: 0 }] },
      { ...ORDER, items: [{ ...ORDER.items[0], price: '1.999' }] },
      { ...ORDER, items: [{ ...ORDER.items[0], product_id: 'nope' }] },
      { ...ORDER, shipping_address: { street: '1 Main St' } },
      { ...ORDER, items: [{ ...ORDER.items[0], quantity: 1000, price: '99999999.99' }] },
    ];
    for (const body of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
  });
});
