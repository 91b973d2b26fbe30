/**
 * The WebSocket upgrade of `/ws/orders/{user_id}`: Origin, token, path and the per-user
 * connection limit are checked before the socket exists, and every refusal is an HTTP status
 * on the upgrade response (403, 401, 400, 429, 503). The request object is only valid
 * synchronously, so everything needed is copied out of it first; the response may be aborted
 * while we wait on the JWKS or Redis, in which case a session slot already taken is returned.
 */
import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse, us_socket_context_t } from 'uWebSockets.js';
import type { TokenVerifier } from '../src/auth/tokens';
import type { Logger } from '../src/logger';
import {
  authenticate,
  authorize,
  extractToken,
  originAllowed,
  Refusal,
  type KeySource,
} from './auth';
import { newConnection, type SocketData } from './connection';
import { writeRefusal } from './http';
import type { GatewayMetrics } from './metrics';
import { streamId } from './protocol';
import type { SessionRegistry } from './sessions';

export interface UpgradeDeps {
  allowedOrigins: readonly string[];
  verifier: TokenVerifier;
  keys: KeySource;
  sessions: SessionRegistry;
  maxConnectionsPerUser: number;
  now: () => number;
  accepting: () => boolean;
  metrics: GatewayMetrics;
  logger: Logger;
}

interface UpgradeRequest {
  key: string;
  extensions: string;
  origin: string;
  authorization: string;
  pathUserId: string;
  queryToken: string;
  lastEventId: string;
}

export function createUpgradeHandler(deps: UpgradeDeps) {
  async function admit(request: UpgradeRequest, isAborted: () => boolean): Promise<SocketData> {
    if (!deps.accepting())
      throw new Refusal(503, 'the server is shutting down', { 'Retry-After': '1' });
    if (!originAllowed(request.origin, deps.allowedOrigins))
      throw new Refusal(403, 'origin not allowed');
    const token = extractToken(request.authorization, request.queryToken);
    const claims = await authenticate(deps.verifier, deps.keys, token);
    const caller = authorize(claims, request.pathUserId);
    if (request.lastEventId && !streamId.safeParse(request.lastEventId).success) {
      throw new Refusal(
        400,
        'last_event_id must be an event id received earlier, such as "1700000000000-0"',
      );
    }
    const conn = newConnection({
      id: randomUUID(),
      userId: request.pathUserId,
      caller,
      now: deps.now(),
      resumeFrom: request.lastEventId || null,
    });
    let admitted: boolean;
    try {
      admitted = await deps.sessions.admit(caller.userId, conn.id, conn.connectedAt);
    } catch (err) {
      deps.logger.error({ err }, 'session admission failed');
      throw new Refusal(503, 'cannot open a connection right now, try again', {
        'Retry-After': '5',
      });
    }
    if (!admitted) {
      throw new Refusal(429, `at most ${deps.maxConnectionsPerUser} connections per user`, {
        'Retry-After': '30',
      });
    }
    if (isAborted()) await deps.sessions.release(caller.userId, conn.id);
    return { conn };
  }

  return (res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void => {
    const request: UpgradeRequest = {
      key: req.getHeader('sec-websocket-key'),
      extensions: req.getHeader('sec-websocket-extensions'),
      origin: req.getHeader('origin'),
      authorization: req.getHeader('authorization'),
      pathUserId: req.getParameter(0),
      queryToken: req.getQuery('token') ?? '',
      lastEventId: req.getQuery('last_event_id') ?? '',
    };
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    admit(request, () => aborted).then(
      (data) => {
        if (aborted) return;
        res.cork(() => res.upgrade<SocketData>(data, request.key, '', request.extensions, context));
      },
      (err: unknown) => {
        if (aborted) return;
        const refusal = err instanceof Refusal ? err : new Refusal(503, 'try again later');
        if (!(err instanceof Refusal)) deps.logger.error({ err }, 'upgrade failed');
        deps.metrics.refused.inc({ status: refusal.status });
        writeRefusal(res, refusal);
      },
    );
  };
}
