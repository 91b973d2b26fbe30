/**
 * Waiting for a process to be ready, properly: by asking it (a query, a PING, a metadata
 * request, an HTTP health check) rather than sleeping a guessed number of seconds. The wait
 * ends early when the process dies, and a failure prints the end of its log, which almost
 * always says why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError } from './output';
import { lastLines } from './shell';
import { isAlive } from './supervise';

/** One readiness check: resolves true when ready; false or a throw means "not yet". */
export type Probe = () => Promise<boolean>;

export interface WaitOptions {
  /** What is being waited for, for the error message. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** The process that should become ready: its death ends the wait at once. */
  pid?: number;
  /** Its log, whose tail is shown on failure. */
  log?: string;
}

export async function waitUntilReady(probe: Probe, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (options.pid !== undefined && !isAlive(options.pid)) {
      throw failure(`${options.what} exited during start-up`, options.log);
    }
    if (Date.now() >= deadline) {
      const why = lastError ? ` (last error: ${lastError})` : '';
      throw failure(
        `${options.what} was not ready after ${options.timeoutMs / 1000}s${why}`,
        options.log,
      );
    }
    await sleep(options.intervalMs ?? 250);
  }
}

function failure(message: string, log: string | undefined): StackError {
  if (!log || !existsSync(log)) return new StackError(message);
  return new StackError(
    `${message}. The end of ${log}:\n${lastLines(readFileSync(log, 'utf8'), 30)}`,
  );
}

/** A probe that gives up after `ms`, so one hung connection attempt cannot stall a wait. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms}ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** GET url: true on a 2xx answer. */
export async function httpOk(url: string, timeoutMs = 2000): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await response.body?.cancel();
  return response.ok;
}
