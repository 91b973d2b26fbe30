/**
 * The payment gateway seen by the charge and refund steps, and its simulator. A real gateway
 * (Stripe, Adyen...) dedupes by idempotency key; so does the simulator, whose ledger lives in
 * Redis so that a worker killed mid-charge and retried elsewhere still charges once.
 */
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { simulateCall, type SimulationSettings } from './simulation';

export interface ChargeRequest {
  idempotencyKey: string;
  amountCents: number;
  paymentMethod: string;
  orderId: string;
}

export type ChargeResult =
  { outcome: 'captured'; reference: string } | { outcome: 'declined'; reason: string };

export interface PaymentGateway {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Refunds a capture in full; idempotent by key. */
  refund(reference: string, idempotencyKey: string): Promise<{ reference: string }>;
}

export interface PaymentSimulatorSettings extends SimulationSettings {
  /** Amounts above this are declined ("over limit"). */
  declineOverCents: number;
}

/** Payment methods the simulator always declines, for demos and tests. */
export const DECLINING_METHODS = ['card_declined', 'insufficient_funds'] as const;

const LEDGER = 'payment-sim:ledger';

export function createPaymentSimulator(
  redis: Redis,
  settings: PaymentSimulatorSettings,
): PaymentGateway {
  return {
    async charge(request) {
      const previous = await redis.hget(LEDGER, request.idempotencyKey);
      if (previous) return JSON.parse(previous) as ChargeResult;
      await simulateCall('payment', settings);
      const result: ChargeResult = (DECLINING_METHODS as readonly string[]).includes(
        request.paymentMethod,
      )
        ? { outcome: 'declined', reason: request.paymentMethod }
        : request.amountCents > settings.declineOverCents
          ? { outcome: 'declined', reason: 'amount_over_limit' }
          : { outcome: 'captured', reference: `ch_${randomUUID().replaceAll('-', '')}` };
      // HSETNX: when two attempts race, the first result wins and both return it.
      await redis.hsetnx(LEDGER, request.idempotencyKey, JSON.stringify(result));
      return JSON.parse((await redis.hget(LEDGER, request.idempotencyKey))!) as ChargeResult;
    },
    async refund(reference, idempotencyKey) {
      const previous = await redis.hget(LEDGER, idempotencyKey);
      if (previous) return JSON.parse(previous) as { reference: string };
      await simulateCall('payment', settings);
      const result = { reference: `re_${reference.slice(3)}` };
      await redis.hsetnx(LEDGER, idempotencyKey, JSON.stringify(result));
      return JSON.parse((await redis.hget(LEDGER, idempotencyKey))!) as { reference: string };
    },
  };
}
