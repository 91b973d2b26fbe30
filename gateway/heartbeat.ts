/**
 * Heartbeat (seed 8.1): every `intervalMs` each connection gets a WebSocket ping. One that has
 * left `maxMissed` pings unanswered is closed (4000) and its session removed from Redis; one
 * whose access token has expired is closed (4001). For the others the tick writes `last_ping`
 * (when the client last answered) to the session hash, which keeps it from looking stale.
 *
 * uWS's own `sendPingsAutomatically` pings once per idle period and closes a few seconds
 * later; counting missed pongs needs this loop. uWS's `idleTimeout` stays on as a backstop.
 *
 * The work of one interval is spread over SLICES ticks, each taking the connections of one
 * slice (by connection id): with tens of thousands of sockets, pinging them all and writing
 * all their sessions to Redis at once would hold up live deliveries (and the publishes that
 * queue behind those writes in Redis) for a moment every interval, on every replica alike.
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

const SLICES = 10;

/** A connection's slice: from the end of its id (a random UUID), so slices are even and stable. */
function sliceOf(conn: Connection): number {
  let hash = 0;
  for (let i = Math.max(0, conn.id.length - 4); i < conn.id.length; i++) {
    hash = hash * 31 + conn.id.charCodeAt(i);
  }
  return hash % SLICES;
}

export function startHeartbeat(deps: HeartbeatDeps) {
  let slice = 0;
  const tick = () => {
    const current = slice;
    slice = (slice + 1) % SLICES;
    const now = deps.now();
    const alive: LiveSession[] = [];
    for (const conn of deps.hub.connections()) {
      const ws = conn.ws;
      if (!ws || sliceOf(conn) !== current) continue;
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
  const timer = setInterval(tick, deps.intervalMs / SLICES);
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
