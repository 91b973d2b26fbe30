/**
 * Every close code the gateway sends, with the reason text that goes with it. docs/gateway.md
 * documents the same table for client authors; 4xxx codes are this application's own range.
 */
export const CLOSE = {
  /** The server is shutting down or restarting: reconnect (with `last_event_id`). */
  GOING_AWAY: { code: 1001, reason: 'server shutting down' },
  /** A client message was larger than GATEWAY_MAX_MESSAGE_BYTES. */
  MESSAGE_TOO_BIG: { code: 1009, reason: 'message too big' },
  /** Redis failed while the connection was catching up: reconnect (with `last_event_id`). */
  INTERNAL_ERROR: { code: 1011, reason: 'internal error' },
  /** The client left GATEWAY_MAX_MISSED_PONGS pings unanswered. */
  HEARTBEAT_TIMEOUT: { code: 4000, reason: 'heartbeat timeout' },
  /** The access token expired: refresh it and reconnect (with `last_event_id`). */
  TOKEN_EXPIRED: { code: 4001, reason: 'token expired' },
  /** The client read too slowly: more than GATEWAY_MAX_BACKPRESSURE_BYTES were queued. */
  SLOW_CONSUMER: { code: 4008, reason: 'slow consumer' },
} as const;

export type CloseCode = (typeof CLOSE)[keyof typeof CLOSE];
