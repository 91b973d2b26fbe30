/**
 * Request count and latency histogram by method, route template and status, on the process
 * registry that /metrics exposes. Route templates, not raw paths, keep the label set bounded.
 */
import type { MiddlewareHandler } from 'hono';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { AppEnv } from '../env';
import { matchedRoute } from './route';

export function httpMetrics(registry: Registry): MiddlewareHandler<AppEnv> {
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return async (c, next) => {
    const started = performance.now();
    await next();
    const labels = { method: c.req.method, route: matchedRoute(c), status: String(c.res.status) };
    requests.inc(labels);
    duration.observe(labels, (performance.now() - started) / 1000);
  };
}
