/**
 * nginx in front of the real api and gateway: Debian's nginx runs docker/nginx's own
 * configuration (TLS with a freshly generated certificate, local high ports) in front of the
 * processes `npm test` starts (API_URL, GATEWAY_URL), and a customer goes through it from
 * sign-up to a delivered order followed live over a WebSocket.
 */
import { connect as tlsConnect, type SecureVersion } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ensureDebianPackage } from '../../support/debian';
import { headerCount, send } from './support/https';
import { freePort, prepareNginx, startNginx, type RunningNginx } from './support/nginx';

const API_URL = process.env.API_URL ?? 'http://127.0.0.1:8000';
const GATEWAY_URL = process.env.GATEWAY_URL ?? 'ws://127.0.0.1:8001';

async function reachable(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

const nginxBinary = ensureDebianPackage('nginx');
const openssl = ensureDebianPackage('openssl');
const apiUp = await reachable(`${API_URL}/health/live`);
const skipReason = !apiUp
  ? `the API is not reachable at ${API_URL} (npm test starts it)`
  : !nginxBinary.ok
    ? nginxBinary.reason
    : !openssl.ok
      ? openssl.reason
      : '';

const hostPort = (url: string) => new URL(url).host;

describe.skipIf(skipReason !== '')(
  `nginx in front of the api and gateway${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let nginx: RunningNginx;
    let base = '';
    let httpBase = '';
    let httpsPort = 0;
    let ca = '';
    let configTest = { status: null as number | null, output: '' };

    beforeAll(async () => {
      const settings = {
        nginx: nginxBinary.ok ? nginxBinary.path : 'nginx',
        apiUpstream: hostPort(API_URL),
        gatewayUpstream: hostPort(GATEWAY_URL),
        httpPort: await freePort(18080),
        httpsPort: await freePort(18443),
      };
      const prepared = prepareNginx(settings);
      configTest = prepared.test;
      nginx = await startNginx(settings, prepared.dir);
      httpsPort = settings.httpsPort;
      base = `https://127.0.0.1:${settings.httpsPort}`;
      httpBase = `http://127.0.0.1:${settings.httpPort}`;
      ca = nginx.certificate;
    });
    afterAll(async () => {
      await nginx?.stop();
    });

    it('accepts the configuration (nginx -t)', () => {
      expect(configTest.output).toContain('test is successful');
      expect(configTest.status, configTest.output).toBe(0);
    });

    it('redirects plain HTTP to HTTPS, path and query kept', async () => {
      const response = await send(`${httpBase}/api/v1/products?limit=2`);
      expect(response.status).toBe(301);
      expect(response.headers.location).toBe(
        `https://127.0.0.1:${httpsPort}/api/v1/products?limit=2`,
      );
    });

    it('speaks TLS 1.3 and 1.2, and refuses anything older', async () => {
      const handshake = (minVersion: SecureVersion, maxVersion: SecureVersion) =>
        new Promise<string>((resolve, reject) => {
          const socket = tlsConnect({
            host: '127.0.0.1',
            port: httpsPort,
            servername: 'localhost',
            ca,
            minVersion,
            maxVersion,
            // Lets this client offer TLS 1.0/1.1 at all, so the refusal is the server's.
            ciphers: 'DEFAULT:@SECLEVEL=0',
          });
          socket.once('secureConnect', () => {
            resolve(socket.getProtocol() ?? '');
            socket.end();
          });
          socket.once('error', reject);
        });
      expect(await handshake('TLSv1.3', 'TLSv1.3')).toBe('TLSv1.3');
      expect(await handshake('TLSv1.2', 'TLSv1.2')).toBe('TLSv1.2');
      await expect(handshake('TLSv1', 'TLSv1.1')).rejects.toThrow();
    });

    it('answers the readiness probe of the api through /health/', async () => {
      const response = await send(`${base}/health/ready`, { ca });
      expect(response.status, response.text).toBe(200);
      expect(response.json<{ status: string }>().status).toBe('ok');
    });

    it('adds the security headers once each, on proxied and on its own responses', async () => {
      for (const path of ['/api/v1/products', '/no-such-page']) {
        const response = await send(`${base}${path}`, { ca });
        expect(response.headers['strict-transport-security'], path).toBe(
          'max-age=63072000; includeSubDomains',
        );
        expect(response.headers['x-content-type-options'], path).toBe('nosniff');
        expect(response.headers['x-frame-options'], path).toBe('DENY');
        expect(response.headers['referrer-policy'], path).toBe('no-referrer');
        expect(response.headers['content-security-policy'], path).toBeTruthy();
        for (const header of [
          'strict-transport-security',
          'x-frame-options',
          'content-security-policy',
        ]) {
          expect(headerCount(response, header), `${path} ${header}`).toBe(1);
        }
        expect(response.headers.server, path).toBe('nginx');
      }
    });

    it('serves the API documentation and the JWKS, and hides /metrics', async () => {
      expect((await send(`${base}/openapi.json`, { ca })).status).toBe(200);
      const jwks = await send(`${base}/.well-known/jwks.json`, { ca });
      expect(jwks.json<{ keys: unknown[] }>().keys.length).toBeGreaterThan(0);
      expect((await send(`${base}/metrics`, { ca })).status).toBe(404);
      const unknown = await send(`${base}/wp-admin`, { ca });
      expect(unknown.status).toBe(404);
      expect(unknown.headers['content-type']).toBe('application/problem+json');
    });

    it('refuses request bodies over its limit before they reach the api', async () => {
      const response = await send(`${base}/api/v1/auth/login`, {
        method: 'POST',
        ca,
        body: JSON.stringify({ email: 'x@example.com', password: 'y'.repeat(2 * 1024 * 1024) }),
      });
      expect(response.status).toBe(413);
      expect(response.headers.server).toBe('nginx');
    });

    it('takes a customer from sign-up to a delivered order, followed live over wss://', async () => {
      const email = `nginx-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
      const password = 'correct horse battery staple';
      const registered = await send(`${base}/api/v1/auth/register`, {
        method: 'POST',
        ca,
        body: { email, password, full_name: 'Through Nginx' },
      });
      expect(registered.status, registered.text).toBe(201);
      const userId = registered.json<{ user_id: string }>().user_id;

      const login = await send(`${base}/api/v1/auth/login`, {
        method: 'POST',
        ca,
        body: { email, password },
      });
      expect(login.status, login.text).toBe(200);
      const token = login.json<{ access_token: string }>().access_token;
      const auth = { authorization: `Bearer ${token}` };

      const products = await send(`${base}/api/v1/products`, { ca, headers: auth });
      expect(products.status, products.text).toBe(200);
      const product = products
        .json<{ data: { product_id: string; price: string; stock: number }[] }>()
        .data.sort((a, b) => b.stock - a.stock)[0];
      expect(product?.stock, 'a product in stock').toBeGreaterThan(0);

      // The socket first, so that no status change can happen before it listens.
      const socket = new WebSocket(
        `wss://127.0.0.1:${httpsPort}/ws/orders/${userId}?token=${encodeURIComponent(token)}`,
        { ca },
      );
      const messages: { type: string; order_id?: string; status?: string }[] = [];
      let notify: (() => void) | undefined;
      socket.on('message', (data: WebSocket.RawData) => {
        messages.push(JSON.parse(data.toString()) as (typeof messages)[number]);
        notify?.();
      });
      const waitFor = (done: () => boolean, what: string, timeoutMs = 45_000) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () =>
              reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages)}`)),
            timeoutMs,
          );
          notify = () => {
            if (done()) {
              clearTimeout(timer);
              resolve();
            }
          };
          notify();
        });
      try {
        await waitFor(() => messages.length > 0, 'the snapshot');
        expect(messages[0]!.type).toBe('snapshot');

        const placed = await send(`${base}/api/v1/orders`, {
          method: 'POST',
          ca,
          headers: auth,
          body: {
            items: [{ product_id: product!.product_id, quantity: 1, price: product!.price }],
            shipping_address: {
              street: '1 Edge Street',
              city: 'Springfield',
              state: 'IL',
              zip: '62701',
              country: 'US',
            },
            payment_method: 'card',
          },
        });
        expect(placed.status, placed.text).toBe(202);
        const orderId = placed.json<{ order_id: string }>().order_id;

        const updates = () =>
          messages.filter((m) => m.type === 'order.update' && m.order_id === orderId);
        await waitFor(
          () => updates().some((m) => m.status === 'delivered'),
          `order ${orderId} to be delivered`,
        );
        const statuses = updates().map((m) => m.status);
        expect(statuses.at(-1)).toBe('delivered');
        expect(statuses).toContain('shipped');
        expect(statuses.indexOf('shipped')).toBeLessThan(statuses.indexOf('delivered'));
      } finally {
        socket.close();
      }
    });
  },
);
