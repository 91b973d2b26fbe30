/**
 * `createGateway(deps)`: the uWebSockets.js server that pushes order status changes to the
 * owners' WebSockets (`/ws/orders/{user_id}`), plus /health, /metrics and the demo page.
 * It owns no client: Redis (commands, and one dedicated subscriber), Postgres and the key
 * source are injected, so the entry point passes real ones and tests can pass their own.
 * The pieces: upgrade.ts (who may connect), sessions.ts (limits across replicas), fanout.ts
 * (the Redis subscriber), sync.ts (snapshot, replay, live), hub.ts (delivery, back-pressure),
 * heartbeat.ts (pings, expiry).
 */
import uWS from 'uWebSockets.js';
import type { Redis } from 'ioredis';
import type { Config } from '../src/config';
import type { Db } from '../db/client';
import type { Logger } from '../src/logger';
import { createMetricsRegistry, type Registry } from '../src/metrics';
import { createTokenVerifier } from '../src/auth/tokens';
import type { KeySource } from './auth';
import { CLOSE } from './close-codes';
import type { SocketData } from './connection';
import { startFanOut } from './fanout';
import { markAlive, startHeartbeat } from './heartbeat';
import { registerHttpRoutes } from './http';
import { createHub } from './hub';
import { createGatewayMetrics } from './metrics';
import type { GatewayOptions } from './options';
import { errorMessage, parseClientMessage, PONG_MESSAGE } from './protocol';
import { createSessionRegistry } from './sessions';
import { createSnapshotReader } from './snapshot';
import { createStatusStream } from './stream';
import { resync, startConnection, type SyncDeps } from './sync';
import { createUpgradeHandler } from './upgrade';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface GatewayDeps {
  config: Pick<
    Config,
    'GATEWAY_HOST' | 'GATEWAY_PORT' | 'CORS_ORIGINS' | 'JWT_ISSUER' | 'JWT_AUDIENCE'
  >;
  options: Readonly<GatewayOptions>;
  /** Commands: sessions and stream reads. */
  redis: Redis;
  /** Dedicated to the status channel (a subscribed connection can run nothing else). */
  subscriber: Redis;
  db: Db;
  /** The API's public keys (`remoteKeySource(JWKS_URL)`). */
  keys: KeySource;
  logger: Logger;
  clock?: Clock;
  metrics?: Registry;
}

export interface Gateway {
  /** Subscribes to Redis, starts the heartbeat and listens; resolves with the port. */
  start(): Promise<number>;
  /** Stops listening, closes every socket with 1001 and removes their sessions. */
  stop(): Promise<void>;
  connections(): number;
}

/** uWS checks idleness at a 4 s granularity and wants 0 or at least 8 s. */
function idleTimeoutSeconds(options: GatewayOptions): number {
  const seconds = Math.ceil((options.pingIntervalMs * (options.maxMissedPongs + 2)) / 1000);
  return Math.min(960, Math.max(8, seconds));
}

const STOP_WAIT_MS = 2000;

function withTimeout(work: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function createGateway(deps: GatewayDeps): Gateway {
  const { config, options, logger } = deps;
  const clock = deps.clock ?? { now: () => Date.now() };
  const registry = deps.metrics ?? createMetricsRegistry('gateway');
  const app = uWS.App();
  const metrics = createGatewayMetrics(registry, () => hub.size());
  const hub = createHub(app, options.maxBackpressureBytes, metrics, logger);
  const sessions = createSessionRegistry(deps.redis, {
    maxPerUser: options.maxConnectionsPerUser,
    staleAfterMs: options.pingIntervalMs * (options.maxMissedPongs + 2),
    ttlSeconds: options.sessionTtlSeconds,
    gatewayId: options.gatewayId,
  });
  const syncDeps: SyncDeps = {
    hub,
    stream: createStatusStream(deps.redis),
    snapshot: createSnapshotReader(deps.db, options.snapshotLimit),
    resumeWaitMs: options.resumeWaitMs,
    logger,
  };
  const verifier = createTokenVerifier({
    getKey: deps.keys.getKey,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    now: () => new Date(clock.now()),
  });
  /** Session releases and syncs in flight: `stop()` waits for them (they use Redis, Postgres). */
  const inFlight = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    const tracked = work.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  let listenSocket: uWS.us_listen_socket | null = null;
  let accepting = false;
  let fanOut: Awaited<ReturnType<typeof startFanOut>> | null = null;
  let heartbeat: ReturnType<typeof startHeartbeat> | null = null;

  app.ws<SocketData>('/ws/orders/:user_id', {
    compression: uWS.DISABLED,
    // Frames above our own limit are answered with 1009; far above it uWS drops the socket.
    maxPayloadLength: options.maxMessageBytes * 4,
    // Our limit closes a slow client first (4008); uWS's is only a backstop.
    maxBackpressure: options.maxBackpressureBytes + 64 * 1024,
    closeOnBackpressureLimit: 1,
    idleTimeout: idleTimeoutSeconds(options),
    sendPingsAutomatically: false,

    upgrade: createUpgradeHandler({
      allowedOrigins: config.CORS_ORIGINS,
      verifier,
      keys: deps.keys,
      sessions,
      maxConnectionsPerUser: options.maxConnectionsPerUser,
      now: () => clock.now(),
      accepting: () => accepting,
      metrics,
      logger,
    }),

    open(ws) {
      const { conn } = ws.getUserData();
      conn.ws = ws;
      hub.add(conn);
      metrics.opened.inc();
      if (!accepting) {
        hub.close(conn, CLOSE.GOING_AWAY);
        return;
      }
      track(startConnection(conn, syncDeps));
    },

    message(ws, message) {
      const { conn } = ws.getUserData();
      markAlive(conn, clock.now());
      if (message.byteLength > options.maxMessageBytes) {
        hub.close(conn, CLOSE.MESSAGE_TOO_BIG);
        return;
      }
      const parsed = parseClientMessage(Buffer.from(message).toString('utf8'));
      const first = conn.resumeWindowOpen;
      conn.resumeWindowOpen = false;
      if (!parsed) {
        hub.sendText(
          conn,
          errorMessage('invalid_message', 'expected {"type":"resume"|"ping", ...}'),
          'control',
        );
      } else if (parsed.type === 'ping') {
        hub.sendText(conn, PONG_MESSAGE, 'control');
      } else if (first) {
        conn.resumeFrom = parsed.last_event_id;
      } else {
        hub.sendText(
          conn,
          errorMessage('resume_not_first', 'resume must be the first message'),
          'control',
        );
      }
      if (first) conn.wake?.();
    },

    pong(ws) {
      markAlive(ws.getUserData().conn, clock.now());
    },

    close(ws) {
      const { conn } = ws.getUserData();
      conn.ws = null;
      hub.remove(conn);
      conn.wake?.();
      track(
        sessions
          .release(conn.caller.userId, conn.id)
          .catch((err: unknown) =>
            logger.warn({ err, connectionId: conn.id }, 'session release failed'),
          ),
      );
    },
  });

  registerHttpRoutes(app, {
    registry,
    logger,
    health: () => {
      const ok =
        listenSocket !== null &&
        deps.redis.status === 'ready' &&
        deps.subscriber.status === 'ready';
      return {
        ok,
        details: {
          gateway: options.gatewayId,
          connections: hub.size(),
          redis: deps.redis.status,
          subscriber: deps.subscriber.status,
          jwks: deps.keys.available() ? 'ok' : 'unavailable',
        },
      };
    },
  });

  return {
    connections: () => hub.size(),

    async start() {
      fanOut = await startFanOut(
        deps.subscriber,
        {
          onStatus(userId, entry) {
            metrics.statusChanges.inc();
            hub.deliverLive(userId, entry);
          },
          onMalformed() {
            metrics.drops.inc({ reason: 'malformed_status' });
          },
          onResubscribed() {
            for (const conn of hub.connections()) track(resync(conn, syncDeps));
          },
        },
        logger,
      );
      heartbeat = startHeartbeat({
        hub,
        sessions,
        intervalMs: options.pingIntervalMs,
        maxMissed: options.maxMissedPongs,
        now: () => clock.now(),
        logger,
      });
      const token = await new Promise<uWS.us_listen_socket | false>((resolve) => {
        app.listen(config.GATEWAY_HOST, config.GATEWAY_PORT, resolve);
      });
      if (!token) {
        heartbeat.stop();
        await fanOut.stop();
        throw new Error(`cannot listen on ${config.GATEWAY_HOST}:${config.GATEWAY_PORT}`);
      }
      listenSocket = token;
      accepting = true;
      const port = uWS.us_socket_local_port(token);
      logger.info({ port, gateway: options.gatewayId }, 'gateway listening');
      return port;
    },

    async stop() {
      accepting = false;
      heartbeat?.stop();
      if (listenSocket) uWS.us_listen_socket_close(listenSocket);
      listenSocket = null;
      for (const conn of [...hub.connections()]) hub.close(conn, CLOSE.GOING_AWAY);
      // Let the syncs and releases finish, so the caller may close Redis and Postgres next;
      // but Redis may be the reason we stop: never wait on it for longer than a moment.
      await withTimeout(Promise.allSettled([fanOut?.stop(), ...inFlight]), STOP_WAIT_MS);
      fanOut = null;
      logger.info({ gateway: options.gatewayId }, 'gateway stopped');
    },
  };
}
