/**
 * The faults the chaos run injects, one kind per component, on a schedule beside the load:
 *
 *   worker-kill       SIGKILL the order worker mid-saga, start a new one (Temporal retries the
 *                     activities it held once their start-to-close timeout runs out)
 *   kafka-restart     controlled shutdown of the broker, then start it again
 *   redis-restart     SIGTERM (AOF flushed), start again
 *   api-restart       SIGTERM (in-flight requests drained), start again
 *   gateway-restart   SIGTERM (sockets closed with 1001), start again
 *   postgres-pause    SIGSTOP the postmaster and every backend for a few seconds, SIGCONT
 *
 * Each fault waits until its component answers again before the next is scheduled, and is
 * recorded with how long the component took to come back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppName } from '../../../src/stack/apps';
import type { EngineName } from '../../../src/stack/settings';

export const FAULT_KINDS = [
  'worker-kill',
  'kafka-restart',
  'redis-restart',
  'api-restart',
  'gateway-restart',
  'postgres-pause',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultTarget {
  restartApp(name: AppName, how: 'kill' | 'term'): Promise<number>;
  restartEngine(name: EngineName): Promise<number>;
  pausePostgres(ms: number): Promise<void>;
}

export interface FaultRecord {
  kind: FaultKind;
  /** Seconds since the load started. */
  at: number;
  /** Time until the component answered again, ms. */
  recoveryMs: number;
  ok: boolean;
  error?: string;
}

export async function injectFault(
  target: FaultTarget,
  kind: FaultKind,
  pauseMs: number,
): Promise<number> {
  switch (kind) {
    case 'worker-kill':
      return target.restartApp('worker', 'kill');
    case 'kafka-restart':
      return target.restartEngine('kafka');
    case 'redis-restart':
      return target.restartEngine('redis');
    case 'api-restart':
      return target.restartApp('api', 'term');
    case 'gateway-restart':
      return target.restartApp('gateway', 'term');
    case 'postgres-pause': {
      const startedAt = Date.now();
      await target.pausePostgres(pauseMs);
      return Date.now() - startedAt;
    }
  }
}

export interface ScheduleOptions {
  kinds: readonly FaultKind[];
  /** Before the first fault, so the load is in full swing. */
  firstAfterMs: number;
  /** Between the recovery of one fault and the next. */
  intervalMs: number;
  pauseMs: number;
  /** Go round the list again while the load lasts (false: each kind once). */
  repeat: boolean;
  onFault?: (kind: FaultKind | undefined) => void;
  log?: (line: string) => void;
}

/**
 * Injects each kind once, then (with `repeat`) goes round again until `loadDone` settles. The
 * caller keeps the load going until the first round is over, so every fault lands under load.
 */
export async function runSchedule(
  target: FaultTarget,
  options: ScheduleOptions,
  loadDone: Promise<unknown>,
  onFirstRound?: () => void,
): Promise<FaultRecord[]> {
  const records: FaultRecord[] = [];
  const startedAt = Date.now();
  let finished = false;
  void loadDone.finally(() => {
    finished = true;
  });
  await Promise.race([sleep(options.firstAfterMs), loadDone.catch(() => undefined)]);
  for (let round = 0; round === 0 || (options.repeat && !finished); round++) {
    for (const kind of options.kinds) {
      if (round > 0 && finished) break;
      const at = (Date.now() - startedAt) / 1000;
      options.onFault?.(kind);
      options.log?.(
        `\n⚡ ${kind} at ${at.toFixed(0)}s (${new Date().toISOString().slice(11, 23)})`,
      );
      try {
        const recoveryMs = await injectFault(target, kind, options.pauseMs);
        records.push({ kind, at, recoveryMs, ok: true });
        options.log?.(`✓ ${kind}: back after ${(recoveryMs / 1000).toFixed(1)}s`);
      } catch (err) {
        const error = err instanceof Error ? err.message.split('\n')[0]! : String(err);
        records.push({ kind, at, recoveryMs: 0, ok: false, error });
        options.log?.(`✗ ${kind} failed: ${error}`);
      }
      options.onFault?.(undefined);
      if (!(round > 0 && finished)) await sleep(options.intervalMs);
    }
    if (round === 0) onFirstRound?.();
  }
  return records;
}
