/**
 * Wires the saga's real dependencies from config: Postgres, the Kafka producer, Redis, and
 * the provider simulators with their latency and failure knobs.
 */
import type { Redis } from 'ioredis';
import type { Db } from '../../db/client';
import type { ActivityDeps } from '../../activities';
import type { Config } from '../config';
import type { OrderEventPublisher } from '../kafka';
import { createStatusPublisher } from '../redis';
import { createPaymentSimulator } from '../providers/payment';
import { createCarrierSimulator } from '../providers/carrier';
import { createNotifier, smtpTransport } from '../providers/notifier';

export function createActivityDeps(
  config: Config,
  db: Db,
  redis: Redis,
  events: OrderEventPublisher,
): ActivityDeps {
  return {
    db,
    events,
    status: createStatusPublisher(redis),
    payments: createPaymentSimulator(redis, {
      latencyMs: config.SIM_LATENCY_MS,
      transientFailureRate: config.SIM_PAYMENT_TRANSIENT_FAILURE_RATE,
      declineOverCents: config.SIM_PAYMENT_DECLINE_OVER_CENTS,
    }),
    carrier: createCarrierSimulator(redis, {
      latencyMs: config.SIM_LATENCY_MS,
      transientFailureRate: config.SIM_CARRIER_TRANSIENT_FAILURE_RATE,
      deliveryDelayMs: config.SIM_DELIVERY_DELAY_MS,
    }),
    notifier: createNotifier(db, {
      latencyMs: config.SIM_LATENCY_MS,
      transientFailureRate: 0,
      ...(config.SMTP_URL
        ? { transport: smtpTransport(config.SMTP_URL), from: config.SMTP_FROM }
        : {}),
    }),
    clock: () => new Date(),
  };
}
