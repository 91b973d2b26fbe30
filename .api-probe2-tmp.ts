import { performance } from 'node:perf_hooks';
import { startApi, quickUser, orderBody, call } from './tests/integration/api/fixtures';
const api = await startApi({ env: { TEMPORAL_ADDRESS: '127.0.0.1:7299', RATE_LIMITS_ENABLED: 'false' } });
const u = await quickUser(api);
const body = orderBody({ items: [{ product_id: process.env.PRODUCT_ID, quantity: 1, price: '5.00' }] });
const pct = (a: number[]) => { a.sort((x, y) => x - y); return `p50 ${a[Math.floor(a.length / 2)]!.toFixed(1)} p90 ${a[Math.floor(a.length * 0.9)]!.toFixed(1)} p99 ${a[Math.floor(a.length * 0.99)]!.toFixed(1)}`; };
const post: number[] = []; const get: number[] = []; let id = '';
for (let i = 0; i < 200; i++) {
  let s = performance.now();
  const r = await call(api.app, 'POST', '/api/v1/orders', { token: u.access, ip: u.ip, body });
  post.push(performance.now() - s); id = r.body.order_id as string;
  s = performance.now();
  await call(api.app, 'GET', `/api/v1/orders/${id}`, { token: u.access, ip: u.ip });
  get.push(performance.now() - s);
}
console.log('in-process serial POST', pct(post)); console.log('in-process serial GET (fill)', pct(get));
await api.close();
