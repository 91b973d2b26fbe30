/**
 * Saga metrics, recorded around every activity: step durations and outcomes (completed,
 * rejected for a business reason, faulted and retried), compensations run, and Kafka
 * produce latency. Prometheus alerts on failed sagas and compensation failures read these.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import { ApplicationFailure } from '@temporalio/common';

export interface SagaMetrics {
  stepDuration: Histogram<'step' | 'outcome'>;
  compensations: Counter<'step' | 'outcome'>;
  kafkaProduce: Histogram<'topic'>;
  ordersFinished: Counter<'status'>;
}

const COMPENSATIONS = new Set(['refundPayment', 'releaseInventory']);
const FINISHERS: Record<string, string> = {
  markDelivered: 'delivered',
  markFailed: 'failed',
  markCancelled: 'cancelled',
};

export function createSagaMetrics(registry: Registry): SagaMetrics {
  return {
    stepDuration: new Histogram({
      name: 'saga_step_duration_seconds',
      help: 'Duration of each saga activity attempt, by step and outcome',
      labelNames: ['step', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    compensations: new Counter({
      name: 'saga_compensations_total',
      help: 'Compensation attempts (refund, release), by step and outcome',
      labelNames: ['step', 'outcome'],
      registers: [registry],
    }),
    kafkaProduce: new Histogram({
      name: 'kafka_produce_duration_seconds',
      help: 'Latency of producing one order event (acks=all)',
      labelNames: ['topic'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    ordersFinished: new Counter({
      name: 'saga_orders_finished_total',
      help: 'Orders that reached a terminal status, by status',
      labelNames: ['status'],
      registers: [registry],
    }),
  };
}

function outcomeOf(err: unknown): string {
  return err instanceof ApplicationFailure && err.nonRetryable ? 'rejected' : 'fault';
}

/** Wraps each activity to time it and count its outcome. */
export function withMetrics<T extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: T,
  metrics: SagaMetrics | undefined,
): T {
  if (!metrics) return activities;
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    const timed = async (...args: never[]) => {
      const end = metrics.stepDuration.startTimer({ step: name });
      try {
        const result = await fn(...args);
        end({ outcome: 'completed' });
        if (COMPENSATIONS.has(name))
          metrics.compensations.inc({ step: name, outcome: 'completed' });
        const finished = FINISHERS[name];
        if (finished) metrics.ordersFinished.inc({ status: finished });
        return result;
      } catch (err) {
        end({ outcome: outcomeOf(err) });
        if (COMPENSATIONS.has(name)) metrics.compensations.inc({ step: name, outcome: 'failed' });
        throw err;
      }
    };
    Object.defineProperty(timed, 'name', { value: name });
    wrapped[name] = timed;
  }
  return wrapped as T;
}
