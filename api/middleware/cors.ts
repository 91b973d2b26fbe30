/**
 * CORS for the configured origins only (CORS_ORIGINS), with the headers a browser client
 * needs to send (Authorization, Idempotency-Key) and to read (Location, rate limits, ids).
 */
import { cors as honoCors } from 'hono/cors';

export function cors(origins: readonly string[]) {
  const allowed = new Set(origins);
  return honoCors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposeHeaders: [
      'Location',
      'Retry-After',
      'X-Request-Id',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
      'Idempotent-Replayed',
    ],
    maxAge: 600,
  });
}
