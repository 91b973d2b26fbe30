/**
 * Paces the start of orders, the same way for the saga (through the API) and for the ceiling
 * workflow (through the Temporal client), so their figures compare:
 *
 * - rate 0 (closed loop): exactly `concurrency` orders in flight; each one finished starts the
 *   next. This finds the maximum throughput without letting a backlog grow.
 * - rate R (open loop): R starts per second on a fixed schedule, but never more than
 *   `concurrency` in flight; starts held back by that cap are counted as `deferred`, which
 *   says the system could not keep up with R.
 *
 * `launch` resolves when its order is finished (or given up on: it must bound itself). It
 * must not reject; a rejection is counted and treated as finished.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { PacingOptions } from './options';

export interface PaceResult {
  /** Epoch ms of the first start and of the end of the submitting window. */
  startedAt: number;
  submittedUntil: number;
  /** Epoch ms when the last order in flight finished (or the drain gave up). */
  drainedAt: number;
  issued: number;
  deferred: number;
  launchErrors: number;
  /** Orders still in flight when the drain timeout ran out. */
  abandoned: number;
}

export interface PaceHooks {
  /** Ends submitting early (Ctrl-C); the drain still runs. */
  signal?: AbortSignal;
  /** Called after each launch with the number in flight. */
  onLaunch?: (inFlight: number) => void;
}

const TICK_MS = 5;

export async function pace(
  options: PacingOptions,
  launch: (seq: number) => Promise<void>,
  hooks: PaceHooks = {},
): Promise<PaceResult> {
  const startedAt = Date.now();
  const deadline = startedAt + options.duration * 1000;
  const limit = options.orders > 0 ? options.orders : Number.POSITIVE_INFINITY;
  const inFlight = new Set<Promise<void>>();
  let issued = 0;
  let deferred = 0;
  let launchErrors = 0;
  let lastFinishAt = Date.now();
  let wake: (() => void) | undefined;

  const start = (): void => {
    const seq = issued++;
    // Open loop: a start more than 100 ms behind its slot in the schedule was held back.
    if (options.rate > 0 && Date.now() - (startedAt + (seq / options.rate) * 1000) > 100)
      deferred++;
    const run = launch(seq)
      .catch(() => {
        launchErrors++;
      })
      .finally(() => {
        inFlight.delete(run);
        lastFinishAt = Date.now();
        wake?.();
      });
    inFlight.add(run);
    hooks.onLaunch?.(inFlight.size);
  };
  /** Resolves at the next finish or after `ms`, leaving no timer behind. */
  const nextFinish = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(1, ms));
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const submitting = (): boolean =>
    Date.now() < deadline && issued < limit && !(hooks.signal?.aborted ?? false);

  if (options.rate <= 0) {
    while (submitting()) {
      while (inFlight.size < options.concurrency && submitting()) start();
      // Wake on the first finish, or at the deadline at the latest.
      await nextFinish(deadline - Date.now());
    }
  } else {
    while (submitting()) {
      const due = Math.min(limit, Math.floor(((Date.now() - startedAt) / 1000) * options.rate) + 1);
      while (issued < due && inFlight.size < options.concurrency) start();
      await sleep(TICK_MS);
    }
  }
  const submittedUntil = Date.now();

  // Bounded twice: by the drain timeout, and by a quiet spell: when nothing has finished for
  // `drainQuiet` seconds, what is left is stuck, and waiting longer shows nothing new.
  const drainDeadline = submittedUntil + options.drainTimeout * 1000;
  const quietMs = options.drainQuiet * 1000;
  lastFinishAt = Math.max(lastFinishAt, submittedUntil);
  while (inFlight.size > 0 && Date.now() < drainDeadline && Date.now() - lastFinishAt < quietMs) {
    await nextFinish(Math.min(drainDeadline, lastFinishAt + quietMs) - Date.now());
  }
  return {
    startedAt,
    submittedUntil,
    drainedAt: Date.now(),
    issued,
    deferred,
    launchErrors,
    abandoned: inFlight.size,
  };
}
