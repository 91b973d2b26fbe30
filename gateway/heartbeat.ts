/**
 * Heartbeat (seed 8.1): every `intervalMs` each connection gets a WebSocket ping. One that has
 * left `maxMissed` pings unanswered is closed (4000) and its session removed from Redis; one
 * whose access token has expired is closed (4001). For the others the tick writes `last_ping`
 * (when the client last answered) to the session hash, which keeps it from looking stale.
 *
 * uWS's own `sendPingsAutomatically` pings once per idle period and closes a few seconds
 * later; counting missed pongs needs this loop. uWS's `idleTimeout` stays on as a backstop.
 */
import type { Logger } from '../src/logger';
import { CLOSE } from './close-codes';
import type { Connection } from './connection';
import type { Hub } from './hub';
import type { LiveSession, SessionRegistry } from './sessions';

export interface HeartbeatDeps {
  hub: Hub;
  sessions: SessionRegistry;
  intervalMs: number;
  maxMissed: number;
  now: () => number;
  logger: Logger;
}

export function startHeartbeat(deps: HeartbeatDeps) {
  const tick = () => {
    const now = deps.now();
    const alive: LiveSession[] = [];
    for (const conn of deps.hub.connections()) {
      const ws = conn.ws;
      if (!ws) continue;
      if (conn.caller.exp * 1000 <= now) {
        deps.hub.close(conn, CLOSE.TOKEN_EXPIRED);
      } else if (conn.missedPongs >= deps.maxMissed) {
        deps.hub.close(conn, CLOSE.HEARTBEAT_TIMEOUT);
      } else {
        if (conn.missedPongs === 0) alive.push(sessionOf(conn));
        conn.missedPongs++;
        ws.ping();
      }
    }
    deps.sessions
      .touch(alive)
      .catch((err: unknown) => deps.logger.warn({ err }, 'heartbeat: session refresh failed'));
  };
  const timer = setInterval(tick, deps.intervalMs);
  return {
    stop(): void {
      clearInterval(timer);
    },
  };
}

/** A pong (or any message) from the client: it is alive. */
export function markAlive(conn: Connection, now: number): void {
  conn.missedPongs = 0;
  conn.lastPongAt = now;
}

function sessionOf(conn: Connection): LiveSession {
  return {
    userId: conn.caller.userId,
    connectionId: conn.id,
    connectedAt: conn.connectedAt,
    lastPing: conn.lastPongAt,
  };
}
