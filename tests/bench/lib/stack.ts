/**
 * The stack as the bench commands drive it, built from the launcher's own modules (engines,
 * bootstrap, apps, supervise) so a bench starts, stops and restarts things exactly as
 * `npm start` and `npm test` do:
 *
 * - `bringUp`: engines reused when running, started when not; migrations, topics and demo
 *   data; then fresh app processes with the bench's settings (no rate limits, no simulated
 *   latency or delivery delay), replacing any already running, as `npm test` does.
 * - restarts for the chaos run: an app killed (SIGKILL) or stopped (SIGTERM) and started
 *   again, an engine stopped cleanly and started again, Postgres frozen (SIGSTOP) and thawed.
 *   The launch's record of what it started follows each restart, so the end of the run
 *   stops the processes that are really running.
 * - `close`: stops what this run started, as `npm test` does, and nothing else: engines it
 *   found running stay running; apps it replaced are not started again (it says so), because
 *   a process started at the end of a run would belong to no launch and outlive everyone's
 *   bookkeeping.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import {
  appDaemon,
  appExists,
  apps,
  startupProbe,
  type AppName,
  APP_NAMES,
} from '../../../src/stack/apps';
import type { App, Engine } from '../../../src/stack/components';
import { isolatedEngines, isolatedSettings, ISOLATED_ENV } from './isolated';
import { bootstrap } from '../../../src/stack/bootstrap';
import { done, warn } from '../../../src/stack/output';
import { logFile } from '../../../src/stack/paths';
import { waitUntilReady } from '../../../src/stack/readiness';
import {
  loadStackSettings,
  type EngineName,
  type StackSettings,
} from '../../../src/stack/settings';
import { interruptible } from '../../../src/stack/signals';
import {
  engines,
  installEngines,
  Launch,
  startApps,
  startEngines,
  stopStarted,
} from '../../../src/stack/stack';
import {
  inspectPidFile,
  isAlive,
  removePidFile,
  startDaemon,
  stopProcess,
} from '../../../src/stack/supervise';
import { temporalConnectionOptions } from '../../../src/temporal/connection';

/** What the apps run with during a bench, on top of the caller's environment. */
export const BENCH_APP_ENV: Readonly<Record<string, string>> = {
  LOG_LEVEL: 'warn',
  RATE_LIMITS_ENABLED: 'false',
  SIM_DELIVERY_DELAY_MS: '0',
  SIM_LATENCY_MS: '0',
  // A soak outlives the default 15-minute access token; sockets would all reconnect at once.
  ACCESS_TOKEN_TTL_SECONDS: String(24 * 3600),
  // Pending orders left in a development database by earlier test runs are not the bench's
  // load: the worker's stranded-order sweep would fail them (and notify their webhooks).
  STRANDED_ORDER_SWEEP_INTERVAL_SECONDS: '0',
};

export interface Stack {
  settings: StackSettings;
  /** The run's task queue (API and worker both use it). */
  taskQueue: string;
  /** The environment the apps run with. */
  appEnv: NodeJS.ProcessEnv;
  apiUrl: string;
  gatewayUrl: string;
  /** Names of the apps this stack runs (present in the tree). */
  appNames: AppName[];
  restartApp(name: AppName, how: 'kill' | 'term'): Promise<number>;
  restartEngine(name: EngineName): Promise<number>;
  pausePostgres(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface BringUpOptions {
  appEnv: Record<string, string>;
  /** Run this entry instead of src/cli/worker.ts (a tuning variant under tests/bench). */
  workerEntry?: string;
  /** Leave the bench apps running at the end instead of stopping them. */
  keepApps?: boolean;
  /** A stack of the bench's own on other ports (isolated.ts), not the development one. */
  isolated?: boolean;
  /** Leave the engines this run started running (isolated experiments in a row). */
  keepEngines?: boolean;
}

interface Running {
  app: App;
  pid: number;
}

/**
 * Controls app processes described by `appSettings` (ports, pid folder) and the engines of
 * `settings`. The CLI uses the stack's own apps; the vitest chaos test runs private copies.
 */
export class StackControl {
  readonly running = new Map<AppName, Running>();

  constructor(
    readonly settings: StackSettings,
    readonly appSettings: StackSettings,
    readonly env: NodeJS.ProcessEnv,
    private readonly launch?: Launch,
    private readonly engineList: readonly Engine[] = engines(settings),
  ) {}

  appsByName(workerEntry?: string): Map<AppName, App> {
    const list = apps(this.appSettings).filter(appExists);
    return new Map(
      list.map((app) => {
        const custom = app.name === 'worker' && workerEntry;
        return [
          app.name as AppName,
          custom ? { ...app, entry: workerEntry, marker: workerEntry } : app,
        ];
      }),
    );
  }

  /** Starts one app and waits until it answers (the worker: until it polls its task queue). */
  async startApp(app: App): Promise<number> {
    const startedAt = Date.now();
    const daemon = startDaemon(this.appSettings.paths, appDaemon(app, this.env));
    this.track(app, daemon.pid);
    await waitUntilReady(startupProbe(app, daemon.pid), {
      what: app.name,
      timeoutMs: app.readyTimeoutMs,
      pid: daemon.pid,
      log: logFile(this.appSettings.paths, app.name),
    });
    if (app.name === 'worker') await this.waitForPoller(daemon.pid);
    return Date.now() - startedAt;
  }

  /** Kills (SIGKILL) or stops (SIGTERM, drained) an app, starts it again; ms until ready. */
  async restartApp(name: AppName, how: 'kill' | 'term'): Promise<number> {
    const current = this.running.get(name);
    if (!current) throw new Error(`${name} is not running under this bench`);
    const { app, pid } = current;
    await stopProcess(pid, how === 'kill' ? { signal: 'SIGKILL', timeoutMs: 5000 } : app.stop);
    removePidFile(this.appSettings.paths, name, pid);
    return this.startApp(app);
  }

  async restartEngine(name: EngineName): Promise<number> {
    const engine = this.engineList.find((e) => e.name === name);
    if (!engine || engine.external) throw new Error(`${name} is external: not restarted`);
    const startedAt = Date.now();
    const state = inspectPidFile(this.settings.paths, engine.name, engine.marker);
    if (state.kind === 'running') {
      await stopProcess(state.pid, engine.stop);
      removePidFile(this.settings.paths, engine.name, state.pid);
    }
    await engine.prepare();
    const daemon = startDaemon(this.settings.paths, engine.daemon());
    this.followRestart(engine, daemon.pid);
    await waitUntilReady(engine.probe, {
      what: engine.name,
      timeoutMs: engine.readyTimeoutMs,
      pid: daemon.pid,
      log: logFile(this.settings.paths, engine.name),
    });
    return Date.now() - startedAt;
  }

  /**
   * Freezes the postmaster and every backend for `ms`, then thaws them. A process exit in
   * between (Ctrl-C) still thaws them: Postgres is never left stopped.
   */
  async pausePostgres(ms: number): Promise<void> {
    const engine = this.engineList.find((e) => e.name === 'postgres');
    if (!engine || engine.external) throw new Error('postgres is external: not paused');
    const state = inspectPidFile(this.settings.paths, 'postgres', engine.marker);
    if (state.kind !== 'running') throw new Error('postgres is not running');
    const tree = processTree(state.pid);
    const thaw = (): void => {
      for (const pid of [...tree].reverse()) signal(pid, 'SIGCONT');
    };
    process.once('exit', thaw);
    try {
      for (const pid of tree) signal(pid, 'SIGSTOP');
      await sleep(ms);
    } finally {
      thaw();
      process.off('exit', thaw);
    }
  }

  /** Stops every app this control started (their latest pids). */
  async stopApps(): Promise<void> {
    for (const name of [...APP_NAMES].reverse()) {
      const current = this.running.get(name);
      if (!current) continue;
      await stopProcess(current.pid, current.app.stop);
      removePidFile(this.appSettings.paths, name, current.pid);
      this.running.delete(name);
    }
  }

  private track(app: App, pid: number): void {
    this.running.set(app.name as AppName, { app, pid });
    this.followRestart(app, pid);
  }

  /** Points the launch's record at the new pid, so the launch stops the live process. */
  private followRestart(component: App | Engine, pid: number): void {
    if (!this.launch) return;
    const entry = this.launch.started.find((s) => s.component.name === component.name);
    if (entry) {
      entry.pid = pid;
      entry.component = component;
    } else if ('entry' in component) this.launch.started.push({ component, pid });
  }

  /** The worker is ready when Temporal lists it (identity `<pid>@host`) as a poller. */
  async waitForPoller(pid: number): Promise<void> {
    const connection = await Connection.connect(temporalConnectionOptions(this.settings.config));
    try {
      await waitUntilReady(
        async () => {
          const response = await connection.workflowService.describeTaskQueue({
            namespace: this.settings.config.TEMPORAL_NAMESPACE,
            taskQueue: {
              name: this.env.TEMPORAL_TASK_QUEUE ?? this.settings.config.TEMPORAL_TASK_QUEUE,
            },
          });
          return (response.pollers ?? []).some((p) => (p.identity ?? '').startsWith(`${pid}@`));
        },
        { what: 'worker polling', timeoutMs: 120_000, pid, intervalMs: 200 },
      );
    } finally {
      await connection.close();
    }
  }
}

/**
 * The whole stack for a bench run: engines, bootstrap, fresh apps with `appEnv` (replacing
 * running ones). Returns the control and how to put things back.
 */
export async function bringUp(options: BringUpOptions): Promise<Stack> {
  const settings = options.isolated ? isolatedSettings() : loadStackSettings();
  const engineList = options.isolated ? isolatedEngines(settings) : engines(settings);
  const launch = new Launch(settings);
  // A task queue of the run's own: the shared `orders` queue may hold other people's
  // workflows (orders placed while no worker ran), which the bench's worker would otherwise
  // pick up and count against the run.
  const taskQueue = options.appEnv.TEMPORAL_TASK_QUEUE ?? `bench-${randomUUID().slice(0, 8)}`;
  const env = {
    ...process.env,
    ...(options.isolated ? ISOLATED_ENV : {}),
    ...BENCH_APP_ENV,
    TEMPORAL_TASK_QUEUE: taskQueue,
    ...options.appEnv,
  };
  const control = new StackControl(settings, settings, env, launch, engineList);
  const byName = control.appsByName();
  const runningBefore = [...byName.values()].filter(
    (app) => inspectPidFile(settings.paths, app.name, app.marker).kind === 'running',
  );

  const outcome = await interruptible(launch, async () => {
    await installEngines(engineList);
    await startEngines(launch, engineList);
    await bootstrap(settings, { seed: true });
    await startApps(launch, { env, replace: true });
  });
  if (outcome === 'interrupted') throw new Error('interrupted while starting the stack');
  try {
    await prepareApps(control, launch, byName, options.workerEntry);
  } catch (err) {
    // A failed start leaves the machine as it found it, as the launcher's own commands do.
    await stopStarted(launch);
    throw err;
  }

  return {
    settings,
    taskQueue,
    appEnv: env,
    apiUrl: `http://127.0.0.1:${settings.config.API_PORT}`,
    gatewayUrl: `ws://127.0.0.1:${settings.config.GATEWAY_PORT}`,
    appNames: [...control.running.keys()],
    restartApp: (name, how) => control.restartApp(name, how),
    restartEngine: (name) => control.restartEngine(name),
    pausePostgres: (ms) => control.pausePostgres(ms),
    async close() {
      if (options.keepApps) {
        warn('leaving the bench-configured apps running (--keep-apps)');
        return;
      }
      if (options.keepEngines) {
        const names = new Set(engineList.map((e) => e.name as string));
        const kept = launch.started.filter((s) => names.has(s.component.name));
        launch.started.splice(
          0,
          launch.started.length,
          ...launch.started.filter((s) => !names.has(s.component.name)),
        );
        if (kept.length > 0)
          warn(`leaving ${kept.map((s) => s.component.name).join(', ')} running (--keep-engines)`);
      }
      await stopStarted(launch);
      // Not restarted here: a process started now would be nobody's to stop (a detached
      // start outside any launch), and other test runs on this machine replace apps too.
      if (runningBefore.length > 0)
        warn(
          `${runningBefore.map((a) => a.name).join(', ')} ran before the bench and are stopped now: \`npm run stack:up\` starts them again`,
        );
    },
  };
}

/** Records the apps the launch started, swaps in a tuning worker, waits for the worker to poll. */
async function prepareApps(
  control: StackControl,
  launch: Launch,
  byName: Map<AppName, App>,
  workerEntry: string | undefined,
): Promise<void> {
  for (const { component, pid } of launch.started) {
    const app = byName.get(component.name as AppName);
    if (app) control.running.set(app.name as AppName, { app, pid });
  }
  if (workerEntry) {
    const worker = control.appsByName(workerEntry).get('worker');
    const current = control.running.get('worker');
    if (worker && current) {
      await stopProcess(current.pid, current.app.stop);
      removePidFile(control.appSettings.paths, 'worker', current.pid);
      await control.startApp(worker);
      done('worker', `replaced by ${workerEntry}`);
    }
  } else {
    // startApps only waited for the worker to stay alive; the run needs it polling.
    const worker = control.running.get('worker');
    if (worker) await control.waitForPoller(worker.pid);
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}

/** A process and its descendants, parents first. */
export function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Exited while we looked.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parent) if (ppid === tree[i] && isAlive(pid)) tree.push(pid);
  }
  return tree;
}
