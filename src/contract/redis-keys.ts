/**
 * Redis keys and channels shared by the worker (publisher), the API (cache, rate limits) and
 * the gateway (subscriber). One module so the names can never drift between processes.
 */
export const redisKeys = {
  /** Order cache hash (seed 7.3), 30 minutes, deleted on every status change. */
  orderCache: (orderId: string) => `order:${orderId}`,
  /** Per-user stream of status changes, the gateway replays it on reconnect. */
  userStatusStream: (userId: string) => `order-status:stream:${userId}`,
  /** Marks an event id as already published, so an activity retry never publishes twice. */
  publishedEvent: (eventId: string) => `order-status:published:${eventId}`,
  /** Rate limiting window (seed 5.3). */
  rateLimit: (subject: string, endpoint: string) => `ratelimit:${subject}:${endpoint}`,
  /** WebSocket sessions of a user (seed 7.2): hash connection_id -> JSON session. */
  wsSessions: (userId: string) => `websocket:session:${userId}`,
  /** Spent refresh tokens and revoked token families. */
  refreshFamilyRevoked: (familyId: string) => `auth:refresh-family-revoked:${familyId}`,
} as const;

/** Every status change is published here once; each gateway subscribes with one connection. */
export const STATUS_CHANNEL = 'order-status:live';

/** How many recent changes per user the stream keeps for reconnects. */
export const STATUS_STREAM_MAXLEN = 1000;

/** Seconds the order cache lives (seed 7.3). */
export const ORDER_CACHE_TTL_SECONDS = 1800;
