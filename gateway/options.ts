/**
 * The gateway's own tuning knobs, parsed once from the environment with a schema, like
 * src/config.ts (which holds what several processes share: ports, JWT issuer, Origin list).
 * Every value has a production default; tests shrink the timings.
 */
import { hostname } from 'node:os';
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();

const schema = z.object({
  /** Heartbeat: a WebSocket ping every interval (seed 8.1: 30 s). */
  GATEWAY_PING_INTERVAL_MS: positiveInt.default(30_000),
  /** Pings a connection may leave unanswered; at the next tick it is closed (4000). */
  GATEWAY_MAX_MISSED_PONGS: positiveInt.default(2),
  /** Concurrent connections per user across every replica (the 6th is refused with 429). */
  GATEWAY_MAX_CONNECTIONS_PER_USER: positiveInt.default(5),
  /** Bytes queued for a client before it is closed as too slow (4008). */
  GATEWAY_MAX_BACKPRESSURE_BYTES: positiveInt.default(64 * 1024),
  /** Largest message a client may send; larger ones close the connection (1009). */
  GATEWAY_MAX_MESSAGE_BYTES: positiveInt.default(4 * 1024),
  /** How long a connection without `last_event_id` in its URL waits for a `resume` message. */
  GATEWAY_RESUME_WAIT_MS: z.coerce.number().int().min(0).default(250),
  /** Lifetime of a user's session hash in Redis, refreshed by every heartbeat (seed 7.2). */
  GATEWAY_SESSION_TTL_SECONDS: positiveInt.default(3600),
  /** Most active orders sent in the snapshot on connect (newest first). */
  GATEWAY_SNAPSHOT_LIMIT: positiveInt.default(100),
  /** Name of this replica in the session entries; host:pid by default. */
  GATEWAY_ID: z.string().min(1).optional(),
});

export interface GatewayOptions {
  pingIntervalMs: number;
  maxMissedPongs: number;
  maxConnectionsPerUser: number;
  maxBackpressureBytes: number;
  maxMessageBytes: number;
  resumeWaitMs: number;
  sessionTtlSeconds: number;
  snapshotLimit: number;
  gatewayId: string;
}

/** Parses the gateway's variables; throws one error listing every bad one. */
export function loadGatewayOptions(env: NodeJS.ProcessEnv = process.env): Readonly<GatewayOptions> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid gateway configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  return Object.freeze({
    pingIntervalMs: e.GATEWAY_PING_INTERVAL_MS,
    maxMissedPongs: e.GATEWAY_MAX_MISSED_PONGS,
    maxConnectionsPerUser: e.GATEWAY_MAX_CONNECTIONS_PER_USER,
    maxBackpressureBytes: e.GATEWAY_MAX_BACKPRESSURE_BYTES,
    maxMessageBytes: e.GATEWAY_MAX_MESSAGE_BYTES,
    resumeWaitMs: e.GATEWAY_RESUME_WAIT_MS,
    sessionTtlSeconds: e.GATEWAY_SESSION_TTL_SECONDS,
    snapshotLimit: e.GATEWAY_SNAPSHOT_LIMIT,
    gatewayId: e.GATEWAY_ID ?? `${hostname()}:${process.pid}`,
  });
}
