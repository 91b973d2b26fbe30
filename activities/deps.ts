/**
 * What the saga's activities need from the outside world, injected by the worker (real
 * clients) or by tests. No module-level singletons.
 */
import type { Db } from '../db/client';
import type { OrderEventPublisher } from '../src/kafka';
import type { StatusPublisher } from '../src/redis';
import type { PaymentGateway } from '../src/providers/payment';
import type { Carrier } from '../src/providers/carrier';
import type { Notifier } from '../src/providers/notifier';
import type { SagaMetrics } from './metrics';

export interface ActivityDeps {
  db: Db;
  events: OrderEventPublisher;
  status: StatusPublisher;
  payments: PaymentGateway;
  carrier: Carrier;
  notifier: Notifier;
  clock: () => Date;
  /** Prometheus metrics; tests may leave them out. */
  metrics?: SagaMetrics;
}
