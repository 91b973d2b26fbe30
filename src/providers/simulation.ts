/**
 * Shared knobs of the built-in provider simulators: latency and transient failure
 * injection, so every failure path can be exercised on purpose.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface SimulationSettings {
  latencyMs: number;
  transientFailureRate: number;
  random?: () => number;
}

/** Thrown for a provider hiccup (timeout, 503): Temporal retries it. */
export class ProviderUnavailableError extends Error {
  override name = 'ProviderUnavailableError';
}

export async function simulateCall(provider: string, s: SimulationSettings): Promise<void> {
  if (s.latencyMs > 0) await sleep(s.latencyMs);
  if ((s.random ?? Math.random)() < s.transientFailureRate) {
    throw new ProviderUnavailableError(`${provider} simulator: transient failure (injected)`);
  }
}
