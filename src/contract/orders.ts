/**
 * What every process must agree on about an order: its statuses, the Temporal task queue,
 * how a workflow id is built, and the search attributes operators filter by.
 */
export const TASK_QUEUE = 'orders';

export const ORDER_STATUSES = [
  'pending',
  'validated',
  'processing',
  'paid',
  'fulfilled',
  'shipped',
  'delivered',
  'cancelled',
  'failed',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_STATUSES: readonly OrderStatus[] = ['delivered', 'cancelled', 'failed'];

/** Once an order has shipped it can no longer be cancelled. */
export const POINT_OF_NO_RETURN: readonly OrderStatus[] = ['shipped', ...TERMINAL_STATUSES];

export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** One workflow per order; the id makes starting an order idempotent. */
export function orderWorkflowId(orderId: string): string {
  return `order-${orderId}`;
}

export function orderIdFromWorkflowId(workflowId: string): string {
  return workflowId.replace(/^order-/, '');
}

/** Custom search attributes registered on the Temporal namespace by the stack launcher. */
export const SEARCH_ATTRIBUTES = {
  OrderStatus: 'Keyword',
  CustomerId: 'Keyword',
  OrderTotal: 'Double',
} as const;
