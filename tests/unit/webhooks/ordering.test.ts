import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { timelinePredecessor } from '../../../src/webhooks/ordering';
import type { Subscriber, TimelineEvent } from '../../../src/webhooks/store';

const t0 = new Date('2026-11-26T10:00:00Z').getTime();
const at = (s: number) => new Date(t0 + s * 1000);
const event = (type: string, s: number): TimelineEvent => ({
  event_id: randomUUID(),
  event_type: type,
  created_at: at(s),
});

const timeline = [
  event('order.created', 10),
  event('order.validated', 20),
  event('order.payment_processed', 30),
  event('order.inventory_reserved', 40), // no topic: never reaches the dispatcher
  event('order.fulfilled', 50),
  event('order.shipped', 60),
];
const subscriber = (types: string[], registeredAt = 0): Subscriber => ({
  webhook_id: randomUUID(),
  event_types: types,
  created_at: at(registeredAt),
});

describe('the delivery an event waits for', () => {
  it('is the previous event of the order for a webhook that takes everything', () => {
    expect(timelinePredecessor(timeline, timeline[1]!.event_id, subscriber(['*']))).toBe(
      timeline[0],
    );
  });

  it('skips event types without a topic', () => {
    expect(timelinePredecessor(timeline, timeline[4]!.event_id, subscriber(['*']))).toBe(
      timeline[2],
    );
  });

  it('skips event types the webhook does not subscribe to', () => {
    const sub = subscriber(['order.created', 'order.shipped']);
    expect(timelinePredecessor(timeline, timeline[5]!.event_id, sub)).toBe(timeline[0]);
  });

  it('is none for the first event, or for events before the webhook was registered', () => {
    expect(timelinePredecessor(timeline, timeline[0]!.event_id, subscriber(['*']))).toBeNull();
    expect(timelinePredecessor(timeline, timeline[2]!.event_id, subscriber(['*'], 25))).toBeNull();
  });

  it('is unknown for an event the order worker did not record', () => {
    expect(timelinePredecessor(timeline, randomUUID(), subscriber(['*']))).toBeUndefined();
  });
});
