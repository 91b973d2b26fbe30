/**
 * The apps the short chaos test kills and restarts: private copies of the worker, the API
 * and the gateway, on free ports and a task queue of their own, started by the launcher's
 * modules like the stack's apps (same entry files, same test settings), with pid files and
 * logs under `.stack/chaos-test/`. The stack's own apps, which `npm test` started and will
 * stop, are never touched, so the tests after this one find them as they were. The engines
 * are shared: Kafka and Redis are restarted and Postgres is frozen for real.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AppName } from '../../../src/stack/apps';
import { TEST_APP_ENV } from '../../../src/stack/commands/test';
import { statePaths } from '../../../src/stack/paths';
import { loadStackSettings, type StackSettings } from '../../../src/stack/settings';
import { engines } from '../../../src/stack/stack';
import {
  inspectPidFile,
  removePidFile,
  startDaemon,
  stopProcess,
} from '../../../src/stack/supervise';
import { waitUntilReady } from '../../../src/stack/readiness';
import { StackControl } from '../../bench/lib/stack';
import { freePort } from '../../bench/lib/free-port';

export const PRIVATE_APPS: readonly AppName[] = ['worker', 'api', 'gateway'];

export interface PrivateStack {
  control: StackControl;
  settings: StackSettings;
  apiUrl: string;
  gatewayUrl: string;
  taskQueue: string;
  /** Why webhooks cannot be checked here, if they cannot. */
  webhooksUnavailable?: string;
  close(): Promise<void>;
}

export async function startPrivateApps(): Promise<PrivateStack> {
  const settings = loadStackSettings();
  const [apiPort, gatewayPort] = [await freePort(), await freePort()];
  const taskQueue = `chaos-test-${randomUUID().slice(0, 8)}`;
  const env: NodeJS.ProcessEnv = {
    ...withoutVitest(process.env),
    ...TEST_APP_ENV,
    LOG_LEVEL: 'warn',
    API_PORT: String(apiPort),
    GATEWAY_PORT: String(gatewayPort),
    JWKS_URL: `http://127.0.0.1:${apiPort}/.well-known/jwks.json`,
    TEMPORAL_TASK_QUEUE: taskQueue,
    // The stack's worker holds the default metrics ports.
    WORKER_METRICS_PORT: '0',
    WORKER_SDK_METRICS_PORT: '0',
    // Private customers, many orders each: limits would only slow the test down.
    RATE_LIMITS_ENABLED: 'false',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  };
  const appSettings: StackSettings = {
    ...loadStackSettings(env),
    paths: statePaths('.stack/chaos-test'),
  };
  const control = new StackControl(settings, appSettings, env);
  const apps = control.appsByName();

  // A run killed half-way may have left its private apps behind: stop them first.
  for (const app of apps.values()) {
    const state = inspectPidFile(appSettings.paths, app.name, app.marker);
    if (state.kind !== 'running') continue;
    await stopProcess(state.pid, app.stop);
    removePidFile(appSettings.paths, app.name, state.pid);
  }
  try {
    for (const name of PRIVATE_APPS) {
      const app = apps.get(name);
      if (!app) throw new Error(`${name}: its entry file does not exist`);
      await control.startApp(app);
    }
  } catch (err) {
    await control.stopApps();
    throw err;
  }
  const why = webhooksUnavailable(settings);
  return {
    control,
    settings,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    gatewayUrl: `ws://127.0.0.1:${gatewayPort}`,
    taskQueue,
    ...(why ? { webhooksUnavailable: why } : {}),
    close: () => control.stopApps(),
  };
}

/**
 * Every local engine answers again: one restarted last may still be warming up, and one whose
 * restart failed half-way (stopped, not started) is started here, so the suites that follow
 * find the stack as it was.
 */
export async function waitEnginesHealthy(settings: StackSettings): Promise<void> {
  for (const engine of engines(settings).filter((e) => !e.external)) {
    const state = inspectPidFile(settings.paths, engine.name, engine.marker);
    if (state.kind !== 'running') {
      await engine.prepare();
      startDaemon(settings.paths, engine.daemon());
    }
    await waitUntilReady(engine.probe, { what: engine.name, timeoutMs: engine.readyTimeoutMs });
  }
}

/**
 * Webhook deliveries come from the stack's dispatcher (one consumer group for every order
 * event): they can reach the test's loopback receiver only if it allows private targets.
 */
function webhooksUnavailable(settings: StackSettings): string | undefined {
  const state = inspectPidFile(settings.paths, 'dispatcher', 'src/cli/dispatcher.ts');
  if (state.kind !== 'running') return "the stack's webhook dispatcher is not running";
  let environ = '';
  try {
    environ = readFileSync(`/proc/${state.pid}/environ`, 'utf8');
  } catch {
    return "the stack's webhook dispatcher's settings cannot be read";
  }
  const value = /(?:^|\0)WEBHOOK_ALLOW_PRIVATE_TARGETS=([^\0]*)/.exec(environ)?.[1] ?? 'false';
  return ['true', '1', 'yes'].includes(value)
    ? undefined
    : "the stack's webhook dispatcher refuses loopback targets under npm test (WEBHOOK_ALLOW_PRIVATE_TARGETS off); `npm run chaos` checks webhooks";
}

/** vitest's own variables stay with vitest. */
function withoutVitest(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([key]) => !key.startsWith('VITEST') && key !== 'TEST'),
  );
}
