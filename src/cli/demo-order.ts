/**
 * `npm run demo:order`: one order through the running system, as a client sees it. Logs in as
 * the demo customer, places an order over HTTP, watches it over the WebSocket until it ends,
 * and prints each status with its time since submission.
 *
 *   npm run demo:order                       # a normal order, runs to delivered
 *   npm run demo:order -- --declined         # a declined card: ends failed, never captured
 *   npm run demo:order -- --cancel           # cancelled right away: refunded, stock restored
 */
import WebSocket from 'ws';

const API = process.env.API_URL ?? 'http://127.0.0.1:8000';
const GATEWAY = process.env.GATEWAY_URL ?? 'ws://127.0.0.1:8001';
const TERMINAL = new Set(['delivered', 'cancelled', 'failed']);

async function call<T>(
  path: string,
  init: RequestInit & { token?: string } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${API}${path}`, {
    ...init,
    headers: {
      'content-type': 'application/json',
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.headers as Record<string, string> | undefined),
    },
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function main(): Promise<void> {
  const declined = process.argv.includes('--declined');
  const cancel = process.argv.includes('--cancel');
  const login = await call<{ access_token: string }>('/api/v1/auth/login', {
    method: 'POST',
    body: JSON.stringify({ email: 'demo@example.com', password: 'demo-password-1' }),
  });
  if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
  const token = login.body.access_token;
  const userId = (
    JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string }
  ).sub;

  type Product = { product_id: string; price: string; stock: number };
  const catalogue = (await call<{ data: Product[] }>('/api/v1/products', { token })).body.data;
  const product = catalogue.find((p) => p.stock > 10);
  if (!product) throw new Error('no product in stock');

  const ws = new WebSocket(`${GATEWAY}/ws/orders/${userId}?token=${encodeURIComponent(token)}`);
  await new Promise<void>((resolve, reject) =>
    ws.once('open', () => resolve()).once('error', reject),
  );

  const started = performance.now();
  const created = await call<{ order_id: string }>('/api/v1/orders', {
    method: 'POST',
    token,
    body: JSON.stringify({
      items: [{ product_id: product.product_id, quantity: 1, price: product.price }],
      shipping_address: {
        street: '1 Demo Street',
        city: 'Springfield',
        state: 'IL',
        zip: '62701',
        country: 'US',
      },
      payment_method: declined ? 'card_declined' : 'card',
    }),
  });
  if (created.status !== 202)
    throw new Error(`order refused: ${created.status} ${JSON.stringify(created.body)}`);
  const orderId = created.body.order_id;
  console.log(`order ${orderId} accepted in ${(performance.now() - started).toFixed(1)} ms`);
  if (cancel) {
    const res = await call(`/api/v1/orders/${orderId}`, { method: 'DELETE', token });
    console.log(`cancel requested: HTTP ${res.status}`);
  }

  const final = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no terminal status within 60 s')), 60_000);
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as {
        type: string;
        order_id?: string;
        status?: string;
        data?: unknown;
      };
      if (msg.type !== 'order.update' || msg.order_id !== orderId || !msg.status) return;
      console.log(`${(performance.now() - started).toFixed(1).padStart(8)} ms  ${msg.status}`);
      if (TERMINAL.has(msg.status)) {
        clearTimeout(timer);
        resolve(msg.status);
      }
    });
  });
  ws.close();
  console.log(
    `order ${orderId} ended ${final} after ${(performance.now() - started).toFixed(1)} ms end to end`,
  );
}

main().catch((err: unknown) => {
  console.error('demo order failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
