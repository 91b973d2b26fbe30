/**
 * The connections of this replica, grouped by watched user, and every write to them.
 * Live changes go to a user's uWS topic (`user:<user_id>`) with one `app.publish`; connections
 * still syncing are not subscribed yet and hold the changes in their buffer instead. A client
 * that falls more than `maxBackpressureBytes` behind is closed (4008), alone: publishing never
 * waits for it, and the others' deliveries do not depend on it.
 */
import type { TemplatedApp } from 'uWebSockets.js';
import type { Logger } from '../src/logger';
import { STATUS_STREAM_MAXLEN } from '../src/contract/redis-keys';
import { CLOSE, type CloseCode } from './close-codes';
import { userTopic, type Connection } from './connection';
import type { GatewayMetrics } from './metrics';
import { compareStreamIds, STREAM_START, withStreamId } from './protocol';
import type { StreamEntry } from './stream';

type Kind = 'snapshot' | 'replay' | 'live' | 'control';

interface UserConnections {
  live: Set<Connection>;
  syncing: Set<Connection>;
  /** The highest cursor among `live`: a change after it is new to every live socket. */
  liveCursor: string;
}

/** uWS `send` result when the message was dropped past its own backpressure limit. */
const DROPPED = 2;

export function createHub(
  app: TemplatedApp,
  maxBackpressureBytes: number,
  metrics: GatewayMetrics,
  logger: Logger,
) {
  const byUser = new Map<string, UserConnections>();
  const all = new Set<Connection>();

  function entryOf(userId: string): UserConnections {
    let entry = byUser.get(userId);
    if (!entry) {
      entry = { live: new Set(), syncing: new Set(), liveCursor: STREAM_START };
      byUser.set(userId, entry);
    }
    return entry;
  }

  function close(conn: Connection, why: CloseCode): void {
    const ws = conn.ws;
    if (!ws) return;
    if (why !== CLOSE.GOING_AWAY) {
      metrics.drops.inc({ reason: why.reason.replaceAll(' ', '_') });
      logger.info({ connectionId: conn.id, userId: conn.userId, code: why.code }, why.reason);
    }
    ws.end(why.code, why.reason); // runs the close handler synchronously
  }

  /** Closes the connection when the client no longer keeps up; false when it was closed. */
  function keptUp(conn: Connection, sendResult: number): boolean {
    const ws = conn.ws;
    if (!ws) return false;
    if (sendResult === DROPPED || ws.getBufferedAmount() > maxBackpressureBytes) {
      close(conn, CLOSE.SLOW_CONSUMER);
      return false;
    }
    return true;
  }

  function sendText(conn: Connection, text: string, kind: Kind): boolean {
    const ws = conn.ws;
    if (!ws) return false;
    const result = ws.send(text, false, false);
    metrics.messagesSent.inc({ kind });
    return keptUp(conn, result);
  }

  /**
   * Sends, corked into as few writes as possible, the changes the connection does not have
   * yet (ids after its cursor), in order; false when the connection was closed.
   */
  function sendUpdates(conn: Connection, entries: readonly StreamEntry[], kind: Kind): boolean {
    const ws = conn.ws;
    if (!ws) return false;
    let result = 1;
    let sent = 0;
    ws.cork(() => {
      for (const entry of entries) {
        if (compareStreamIds(entry.id, conn.cursor) <= 0) continue;
        conn.cursor = entry.id;
        result = ws.send(withStreamId(entry.json, entry.id), false, false);
        sent++;
        if (result === DROPPED) break;
      }
    });
    if (sent > 0) metrics.messagesSent.inc({ kind }, sent);
    return keptUp(conn, result);
  }

  return {
    size: () => all.size,
    connections: () => all.values(),
    sendText,
    sendUpdates,
    close,

    /** A connection whose upgrade completed: it starts syncing. */
    add(conn: Connection): void {
      all.add(conn);
      entryOf(conn.userId).syncing.add(conn);
    },

    remove(conn: Connection): void {
      all.delete(conn);
      conn.phase = 'closed';
      conn.buffer = [];
      const entry = byUser.get(conn.userId);
      if (!entry) return;
      entry.live.delete(conn);
      entry.syncing.delete(conn);
      if (entry.live.size === 0 && entry.syncing.size === 0) byUser.delete(conn.userId);
    },

    /**
     * A change from the live channel: to the user's subscribed sockets, or their buffers.
     * A socket that went live moments ago may already have this change from its replay (the
     * XRANGE reply can overtake the pub/sub message): then the change goes one by one to the
     * sockets that lack it instead of through the topic, so nobody gets it twice.
     */
    deliverLive(userId: string, entry: StreamEntry): void {
      const watchers = byUser.get(userId);
      if (!watchers) return;
      if (watchers.live.size > 0) {
        if (compareStreamIds(entry.id, watchers.liveCursor) > 0) {
          app.publish(userTopic(userId), withStreamId(entry.json, entry.id), false, false);
          metrics.messagesSent.inc({ kind: 'live' }, watchers.live.size);
          for (const conn of watchers.live) {
            conn.cursor = entry.id;
            keptUp(conn, 1);
          }
          watchers.liveCursor = entry.id;
        } else {
          for (const conn of watchers.live) sendUpdates(conn, [entry], 'live');
        }
      }
      for (const conn of watchers.syncing) {
        if (conn.buffer.length >= STATUS_STREAM_MAXLEN) close(conn, CLOSE.SLOW_CONSUMER);
        else conn.buffer.push(entry);
      }
    },

    /** Ends a sync: the held changes in order (skipping any already sent), then the topic. */
    goLive(conn: Connection): void {
      const ws = conn.ws;
      if (!ws) return;
      const held = conn.buffer;
      conn.buffer = [];
      if (!sendUpdates(conn, held, 'live')) return;
      const entry = entryOf(conn.userId);
      entry.syncing.delete(conn);
      entry.live.add(conn);
      if (compareStreamIds(conn.cursor, entry.liveCursor) > 0) entry.liveCursor = conn.cursor;
      conn.phase = 'live';
      ws.subscribe(userTopic(conn.userId));
    },

    /** The live feed may have missed changes: hold them again until a replay catches up. */
    backToSyncing(conn: Connection): void {
      const ws = conn.ws;
      if (!ws || conn.phase !== 'live') return;
      // uWS holds topic messages until the end of the event-loop turn and drops the ones still
      // held for a socket when it unsubscribes, although its cursor already counts them: the
      // replay would then skip them. A direct write (a ping here, harmless) flushes them first.
      ws.ping();
      ws.unsubscribe(userTopic(conn.userId));
      const entry = entryOf(conn.userId);
      entry.live.delete(conn);
      entry.syncing.add(conn);
      conn.phase = 'syncing';
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
