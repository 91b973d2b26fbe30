/**
 * One client connection, from the accepted upgrade to its close. uWS copies the user data
 * object it is given, so the socket carries `{ conn }` and every handler reaches the same
 * mutable record through it.
 */
import type { WebSocket } from 'uWebSockets.js';
import type { Caller } from './auth';
import type { StreamEntry } from './stream';
import { STREAM_START } from './protocol';

export interface SocketData {
  conn: Connection;
}

export type Phase =
  /** Snapshot, replay or resync in progress: live changes are held in `buffer`. */
  | 'syncing'
  /** Subscribed to its user's topic: live changes go straight to the socket. */
  | 'live'
  | 'closed';

export interface Connection {
  readonly id: string;
  /** The user whose orders this connection watches (the path's user_id). */
  readonly userId: string;
  /** Who connected (the token's subject): sessions and limits are counted for them. */
  readonly caller: Caller;
  readonly connectedAt: number;
  ws: WebSocket<SocketData> | null;
  phase: Phase;
  /** Live changes received while syncing, delivered in order when it goes live. */
  buffer: StreamEntry[];
  /** Stream id of the last change delivered (or the snapshot's position): never resent. */
  cursor: string;
  /** `last_event_id` from the URL; otherwise a `resume` message may still bring one. */
  resumeFrom: string | null;
  /** True until the client's first message or the resume wait ends. */
  resumeWindowOpen: boolean;
  /** Wakes the connection's sync when its first message arrives or it closes. */
  wake: (() => void) | null;
  missedPongs: number;
  lastPongAt: number;
  /** Bumped whenever the live feed may have missed messages and a resync is needed. */
  syncEpoch: number;
}

export function newConnection(init: {
  id: string;
  userId: string;
  caller: Caller;
  now: number;
  resumeFrom: string | null;
}): Connection {
  return {
    id: init.id,
    userId: init.userId,
    caller: init.caller,
    connectedAt: init.now,
    ws: null,
    phase: 'syncing',
    buffer: [],
    cursor: STREAM_START,
    resumeFrom: init.resumeFrom,
    resumeWindowOpen: init.resumeFrom === null,
    wake: null,
    missedPongs: 0,
    lastPongAt: init.now,
    syncEpoch: 0,
  };
}

export const userTopic = (userId: string) => `user:${userId}`;
