/**
 * What travels over the socket besides `order.update` (src/contract/ws-messages.ts): the
 * messages a client may send, the snapshot and the small control messages the gateway sends,
 * and Redis stream ids, which double as the `id` / `last_event_id` a client resumes from.
 */
import { z } from 'zod';
import type { OrderStatus } from '../src/contract/orders';

/** A Redis stream id, "<ms>-<seq>". */
export const streamId = z
  .string()
  .regex(/^\d{1,20}-\d{1,20}$/, 'must be a stream id such as "1700000000000-0"');

/** The position before any entry: resuming from it replays the whole stream. */
export const STREAM_START = '0-0';

/** Orders stream ids: negative when `a` comes before `b`. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = '0', aSeq = '0'] = a.split('-');
  const [bMs = '0', bSeq = '0'] = b.split('-');
  return Number(aMs) - Number(bMs) || Number(aSeq) - Number(bSeq);
}

export const clientMessage = z.discriminatedUnion('type', [
  /** First message only: replay every change after `last_event_id`, then go live. */
  z.object({ type: z.literal('resume'), last_event_id: streamId }),
  /** Application-level keepalive for clients that cannot see WebSocket pings (browsers). */
  z.object({ type: z.literal('ping') }),
]);
export type ClientMessage = z.infer<typeof clientMessage>;

/** Parses a client frame; null when it is not JSON or not a known message. */
export function parseClientMessage(text: string): ClientMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = clientMessage.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export interface SnapshotOrder {
  order_id: string;
  status: OrderStatus;
  total_amount: string;
  items: unknown;
  created_at: string;
  updated_at: string;
}

export function snapshotMessage(orders: SnapshotOrder[], lastEventId: string): string {
  return JSON.stringify({ type: 'snapshot', orders, last_event_id: lastEventId });
}

export type ErrorCode =
  'invalid_message' | 'resume_not_first' | 'resume_gap' | 'snapshot_unavailable';

export function errorMessage(code: ErrorCode, message: string): string {
  return JSON.stringify({ type: 'error', code, message });
}

export const PONG_MESSAGE = JSON.stringify({ type: 'pong' });

/**
 * The `order.update` a client receives: the JSON the worker published (seed 8.2 plus
 * `event_id` and `user_id`) with the stream id added as `id`, without re-serialising it.
 */
export function withStreamId(json: string, id: string): string {
  return json.length > 2 ? `{"id":"${id}",${json.slice(1)}` : `{"id":"${id}"}`;
}
