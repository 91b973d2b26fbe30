/** The route template a request matched ("/api/v1/orders/:id"), for logs and metric labels. */
import type { Context } from 'hono';
import { routePath } from 'hono/route';

export function matchedRoute(c: Context): string {
  const path = routePath(c, -1);
  return path === '' || path.includes('*') ? 'unmatched' : path;
}
