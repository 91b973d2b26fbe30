/**
 * The one Redis subscriber of this process. Every status change arrives once on
 * STATUS_CHANNEL as "<stream id> <json>" (src/redis.ts publishes it in the same Lua script that
 * appends it to the user's stream) and is routed to the watching user's connections here. Every
 * replica subscribes, so every replica delivers to its own sockets.
 *
 * Pub/sub forgets what it could not deliver: after the subscriber reconnects, `onResubscribed`
 * lets the gateway replay each connection from its cursor, so an outage costs delay, not loss.
 */
import type { Redis } from 'ioredis';
import { STATUS_CHANNEL } from '../src/contract/redis-keys';
import { parseLiveStatus } from '../src/redis';
import type { Logger } from '../src/logger';
import type { StreamEntry } from './stream';
import { streamId } from './protocol';

export interface FanOutHandlers {
  onStatus(userId: string, entry: StreamEntry): void;
  onMalformed(): void;
  onResubscribed(): void;
}

function userIdOf(json: string): string | null {
  try {
    const value: unknown = JSON.parse(json);
    if (
      typeof value === 'object' &&
      value !== null &&
      'user_id' in value &&
      typeof value.user_id === 'string'
    ) {
      return value.user_id;
    }
  } catch {
    // fall through
  }
  return null;
}

export async function startFanOut(subscriber: Redis, handlers: FanOutHandlers, logger: Logger) {
  let lost = false;
  let stopped = false;

  const onMessage = (channel: string, payload: string) => {
    if (channel !== STATUS_CHANNEL) return;
    const { id, json } = parseLiveStatus(payload);
    const userId = userIdOf(json);
    if (!userId || !streamId.safeParse(id).success) {
      handlers.onMalformed();
      return;
    }
    handlers.onStatus(userId, { id, json });
  };
  const onClose = () => {
    if (!stopped && !lost) logger.warn('status subscriber lost its Redis connection');
    lost = true;
  };
  const onReady = () => {
    if (!lost || stopped) return;
    // Subscribing again is harmless if ioredis already did; its reply proves the subscription
    // is active, and only then can a replay from the stream close the gap.
    subscriber.subscribe(STATUS_CHANNEL).then(
      () => {
        lost = false;
        logger.info('status subscriber back: replaying what connections missed');
        handlers.onResubscribed();
      },
      (err: unknown) => logger.error({ err }, 'status subscriber could not resubscribe'),
    );
  };

  subscriber.on('message', onMessage);
  subscriber.on('close', onClose);
  subscriber.on('ready', onReady);
  await subscriber.subscribe(STATUS_CHANNEL);

  return {
    async stop(): Promise<void> {
      stopped = true;
      subscriber.off('message', onMessage);
      subscriber.off('close', onClose);
      subscriber.off('ready', onReady);
      if (subscriber.status === 'ready') await subscriber.unsubscribe(STATUS_CHANNEL);
    },
  };
}
