/**
 * One structured log line per request (method, route, status, duration, user id; never
 * bodies or personal data), and `c.get('log')`: a child logger carrying the request id that
 * handlers use for anything else they log.
 */
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../src/logger';
import type { AppEnv } from '../env';
import { matchedRoute } from './route';

const QUIET = new Set(['/health/live', '/health/ready', '/metrics']);

export function requestLogging(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const log = logger.child({ request_id: c.get('requestId') });
    c.set('log', log);
    await next();
    const status = c.res.status;
    const line = {
      method: c.req.method,
      route: matchedRoute(c),
      path: c.req.path,
      status,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
      user_id: c.get('auth')?.userId,
    };
    if (status >= 500) log.error(line, 'request failed');
    else if (QUIET.has(c.req.path)) log.debug(line, 'request');
    else log.info(line, 'request');
  };
}
