/**
 * The carrier seen by the ship step, and its simulator. Creating a shipment is idempotent by
 * key. The simulator also plays the carrier's delivery scan: it schedules a `delivered`
 * callback in a Redis sorted set (so it survives a worker restart), and a small poller in the
 * worker process sends the workflow its `delivered` signal when the time comes.
 */
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { simulateCall, type SimulationSettings } from './simulation';

export interface ShipmentRequest {
  idempotencyKey: string;
  orderId: string;
  workflowId: string;
  items: number;
  destinationCountry: string;
}

export interface ShipmentLabel {
  trackingNumber: string;
  carrier: string;
  estimatedDelivery: string;
}

export interface Carrier {
  createShipment(request: ShipmentRequest): Promise<ShipmentLabel>;
}

export interface CarrierSimulatorSettings extends SimulationSettings {
  /** When the simulated delivery scan happens after shipping. */
  deliveryDelayMs: number;
  clock?: () => Date;
}

export const SCHEDULED_DELIVERIES = 'carrier-sim:deliveries';
const LABELS = 'carrier-sim:labels';

function trackingNumberFor(key: string): string {
  return `1Z${createHash('sha256').update(key).digest('hex').slice(0, 16).toUpperCase()}`;
}

export function createCarrierSimulator(redis: Redis, settings: CarrierSimulatorSettings): Carrier {
  const now = settings.clock ?? (() => new Date());
  return {
    async createShipment(request) {
      const previous = await redis.hget(LABELS, request.idempotencyKey);
      if (!previous) {
        await simulateCall('carrier', settings);
        const eta = new Date(now().getTime() + 3 * 24 * 3600 * 1000);
        const label: ShipmentLabel = {
          trackingNumber: trackingNumberFor(request.idempotencyKey),
          carrier: 'UPS',
          estimatedDelivery: eta.toISOString().slice(0, 10),
        };
        await redis.hsetnx(LABELS, request.idempotencyKey, JSON.stringify(label));
      }
      // Every call (retries included, say after the worker died between these writes) makes
      // sure the scan is scheduled; NX never postpones one already scheduled, and a scan
      // for an order already delivered is harmless.
      await redis.zadd(
        SCHEDULED_DELIVERIES,
        'NX',
        now().getTime() + settings.deliveryDelayMs,
        request.workflowId,
      );
      return JSON.parse((await redis.hget(LABELS, request.idempotencyKey))!) as ShipmentLabel;
    },
  };
}
