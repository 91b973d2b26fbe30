/**
 * Business outcomes of the saga, as typed errors. They are not faults: retrying cannot change
 * them, so they become non-retryable Temporal failures (activities/failures.ts is the one
 * place that maps them) and the workflow compensates. Each class sets its name explicitly
 * because bundling renames constructors.
 */
export abstract class OrderRejectedError extends Error {
  abstract readonly code: OrderRejection;
}

export const ORDER_REJECTIONS = ['OrderInvalid', 'OutOfStock', 'PaymentDeclined'] as const;
export type OrderRejection = (typeof ORDER_REJECTIONS)[number];

export class OrderInvalidError extends OrderRejectedError {
  override name = 'OrderInvalidError';
  readonly code = 'OrderInvalid' as const;
}

export class OutOfStockError extends OrderRejectedError {
  override name = 'OutOfStockError';
  readonly code = 'OutOfStock' as const;
}

export class PaymentDeclinedError extends OrderRejectedError {
  override name = 'PaymentDeclinedError';
  readonly code = 'PaymentDeclined' as const;
}
