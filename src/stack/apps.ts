/**
 * The platform's own processes, each started as `node --import tsx src/cli/<name>.ts`: one
 * Node process per app, no build step, no wrapper process in between (so the recorded pid is
 * the app's, and stopping it stops it).
 *
 * Health: the API and the gateway answer HTTP health checks; the worker and the dispatcher
 * serve nothing, so for them healthy means alive (and, at start-up, still alive a couple of
 * seconds later: a process that cannot reach its server dies within that time).
 *
 * An app whose entry file does not exist yet is skipped with a warning: the launcher is
 * usable, and testable, before every app is written.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from './components';
import { REPO_ROOT } from './paths';
import { httpOk } from './readiness';
import type { StackSettings } from './settings';
import { inspectPidFile, isAlive, type DaemonSpec } from './supervise';

export type AppName = 'worker' | 'api' | 'gateway' | 'dispatcher';

/** Start order: the worker first, so orders accepted by the API find someone to run them. */
export const APP_NAMES: readonly AppName[] = ['worker', 'dispatcher', 'api', 'gateway'];

/** How long a process-only app must stay up at start before it counts as started. */
const SETTLE_MS = 2000;

export function apps(settings: StackSettings): App[] {
  const { API_PORT, GATEWAY_PORT } = settings.config;
  return APP_NAMES.map((name) => {
    const entry = `src/cli/${name}.ts`;
    const base = {
      name,
      entry,
      marker: entry,
      // The apps drain in-flight work on SIGTERM. The worker and the dispatcher run Temporal
      // workers, whose shutdown waits for running activities and open polls: give them longer.
      stop: { signal: 'SIGTERM' as const, timeoutMs: serves(name) ? 10_000 : 30_000 },
      readyTimeoutMs: 60_000,
    };
    if (serves(name)) {
      const port = name === 'api' ? API_PORT : GATEWAY_PORT;
      const healthUrl = `http://127.0.0.1:${port}${name === 'api' ? '/health/ready' : '/health'}`;
      return { ...base, ports: [port], healthUrl, probe: () => httpOk(healthUrl) };
    }
    return { ...base, ports: [], probe: async () => isRunning(settings, name, entry) };
  });
}

/** The apps that serve HTTP (and so have a health URL). */
function serves(name: AppName): boolean {
  return name === 'api' || name === 'gateway';
}

export function appExists(app: App): boolean {
  return existsSync(path.join(REPO_ROOT, app.entry));
}

/**
 * Development defaults the local stack gives its apps, each overridable from the environment.
 * Webhooks to loopback are allowed so that a receiver on this machine works; production
 * (config default false) refuses private, loopback and link-local targets.
 */
export const LOCAL_APP_DEFAULTS: Readonly<Record<string, string>> = {
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
};

export function appDaemon(app: App, env: NodeJS.ProcessEnv): DaemonSpec {
  return {
    name: app.name,
    command: process.execPath,
    args: ['--import', 'tsx', app.entry],
    cwd: REPO_ROOT,
    env: { ...LOCAL_APP_DEFAULTS, ...env },
  };
}

/** The readiness check used right after a start: HTTP health, or alive and staying alive. */
export function startupProbe(app: App, pid: number): () => Promise<boolean> {
  if (app.healthUrl) return app.probe;
  const startedAt = Date.now();
  return async () => {
    if (!isAlive(pid)) return false;
    const remaining = SETTLE_MS - (Date.now() - startedAt);
    if (remaining > 0) await sleep(remaining);
    return isAlive(pid);
  };
}

function isRunning(settings: StackSettings, name: string, marker: string): boolean {
  const state = inspectPidFile(settings.paths, name, marker);
  return state.kind === 'running';
}
