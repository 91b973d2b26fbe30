/**
 * What the load generator knows about each order it submitted: when it was sent, what the API
 * answered, and every status the WebSocket delivered for it, so that afterwards each can be
 * compared with Postgres and Kafka.
 *
 * Updates can arrive before the 202 that names the order (the saga starts as soon as the
 * workflow does, and the response may still be on its way): they wait, keyed by order id,
 * until the order is claimed. Updates for orders never claimed (a POST whose answer was lost)
 * are counted apart.
 */
import { TERMINAL_STATUSES } from '../../../src/contract/orders';
import type { OrderKind } from './order-mix';
import { Samples } from './stats';
import type { StatusUpdate } from './ws-client';

export interface OrderRecord {
  seq: number;
  kind: OrderKind;
  userIndex: number;
  idempotencyKey: string;
  /** Epoch ms just before the first POST attempt. */
  submittedAt: number;
  orderId?: string;
  /** Final HTTP status of POST /orders (undefined: no answer at all). */
  httpStatus?: number;
  /** Duration of the attempt that got the final answer, ms. */
  postMs?: number;
  postAttempts: number;
  cancelStatus?: number;
  /** WebSocket updates by event id (the first copy of each). */
  updates: Map<string, StatusUpdate>;
  duplicates: number;
  terminal?: { status: string; at: number };
}

const isTerminalStatus = (status: string): boolean =>
  (TERMINAL_STATUSES as readonly string[]).includes(status);

export class Tracker {
  readonly records: OrderRecord[] = [];
  private readonly byOrderId = new Map<string, OrderRecord>();
  private readonly waiting = new Map<string, StatusUpdate[]>();
  private readonly terminalWaiters = new Map<string, () => void>();
  /** Per order: called on each update; true once it is satisfied (then dropped). */
  private readonly statusWaiters = new Map<string, () => boolean>();
  /** Redis publish → socket read, per update (stream id ms vs receive time). */
  readonly hop = new Samples();
  readonly hopTerminal = new Samples();
  completed = 0;
  accepted = 0;
  updates = 0;

  add(record: Omit<OrderRecord, 'updates' | 'duplicates' | 'postAttempts'>): OrderRecord {
    const full: OrderRecord = { ...record, postAttempts: 0, updates: new Map(), duplicates: 0 };
    this.records.push(full);
    return full;
  }

  /** The API answered 202 with this order id. */
  claim(record: OrderRecord, orderId: string): void {
    record.orderId = orderId;
    this.accepted++;
    this.byOrderId.set(orderId, record);
    const early = this.waiting.get(orderId) ?? [];
    this.waiting.delete(orderId);
    for (const update of early) this.apply(record, update);
  }

  onUpdate = (update: StatusUpdate): void => {
    this.updates++;
    const streamMs = Number(update.streamId.split('-')[0]);
    if (streamMs > 0) {
      const hop = update.receivedAt - streamMs;
      this.hop.add(hop);
      if (isTerminalStatus(update.status)) this.hopTerminal.add(hop);
    }
    const record = this.byOrderId.get(update.orderId);
    if (record) {
      this.apply(record, update);
      return;
    }
    const list = this.waiting.get(update.orderId) ?? [];
    list.push(update);
    this.waiting.set(update.orderId, list);
  };

  /** Resolves true when the order's terminal status arrives, false after `timeoutMs`. */
  waitTerminal(record: OrderRecord, timeoutMs: number): Promise<boolean> {
    if (record.terminal) return Promise.resolve(true);
    const orderId = record.orderId;
    if (!orderId) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.terminalWaiters.delete(orderId);
        resolve(false);
      }, timeoutMs);
      this.terminalWaiters.set(orderId, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * Resolves true when the order reaches `status` (or any terminal status: too late to wait
   * longer), false after `timeoutMs`.
   */
  waitStatus(record: OrderRecord, status: string, timeoutMs: number): Promise<boolean> {
    const orderId = record.orderId;
    const reached = (): boolean =>
      record.terminal !== undefined ||
      [...record.updates.values()].some((u) => u.status === status);
    if (!orderId || reached()) return Promise.resolve(reached());
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.statusWaiters.delete(orderId);
        resolve(false);
      }, timeoutMs);
      this.statusWaiters.set(orderId, () => {
        if (!reached()) return false;
        clearTimeout(timer);
        resolve(true);
        return true;
      });
    });
  }

  /** Order ids the socket reported that no 202 ever named. */
  unclaimedOrderIds(): string[] {
    return [...this.waiting.keys()];
  }

  acceptedRecords(): (OrderRecord & { orderId: string })[] {
    return this.records.filter((r): r is OrderRecord & { orderId: string } => !!r.orderId);
  }

  private apply(record: OrderRecord, update: StatusUpdate): void {
    if (record.updates.has(update.eventId)) {
      record.duplicates++;
      return;
    }
    record.updates.set(update.eventId, update);
    if (!record.terminal && isTerminalStatus(update.status)) {
      record.terminal = { status: update.status, at: update.receivedAt };
      this.completed++;
      const waiter = this.terminalWaiters.get(update.orderId);
      this.terminalWaiters.delete(update.orderId);
      waiter?.();
    }
    if (this.statusWaiters.get(update.orderId)?.()) this.statusWaiters.delete(update.orderId);
  }
}
