/**
 * Bringing the stack up, in the order things depend on each other:
 *
 *   install (in parallel: apt, pip, Maven; each a no-op when cached)
 *   → engines (in parallel: Postgres, Redis, Kafka, Temporal; each reused when already running)
 *   → bootstrap (bootstrap/index.ts: topics, search attributes, migrations, demo data)
 *   → apps (in parallel: worker, dispatcher, API, gateway)
 *
 * A `Launch` records what this command started, in order, so that whoever started something
 * stops exactly that, in reverse: `npm start` on Ctrl-C, `npm test` when the tests end, any
 * command when a later step fails. What was already running is reused and left alone.
 */
import { appDaemon, appExists, apps, startupProbe } from './apps';
import type { App, Component, Engine } from './components';
import { kafkaEngine } from './engines/kafka';
import { postgresEngine } from './engines/postgres';
import { redisEngine } from './engines/redis';
import { temporalEngine } from './engines/temporal';
import { done, StackError, warn } from './output';
import { logFile } from './paths';
import { isPortFree, portHolder } from './ports';
import { waitUntilReady } from './readiness';
import { ENGINE_ADDRESS_VARIABLES, type StackSettings } from './settings';
import {
  inspectPidFile,
  isAlive,
  removePidFile,
  startDaemon,
  stopProcess,
  type StopOutcome,
} from './supervise';

export interface StartedProcess {
  component: Component;
  pid: number;
}

export class Launch {
  /** What this command started, in start order. */
  readonly started: StartedProcess[] = [];
  /** Names of components found already running and reused. */
  readonly reused: string[] = [];
  /** Set once shutdown begins: from then on nothing new may be started. */
  private closed = false;

  constructor(readonly settings: StackSettings) {}

  close(): void {
    this.closed = true;
  }

  /** Called right before each start, so an interrupted start-up cannot leave a process behind. */
  assertOpen(): void {
    if (this.closed) throw new StackError('interrupted');
  }
}

/** The four engines, in the order `down` stops them in reverse. */
export function engines(settings: StackSettings): Engine[] {
  return [
    postgresEngine(settings),
    redisEngine(settings),
    kafkaEngine(settings),
    temporalEngine(settings),
  ];
}

/** Every component, engines first: start order. */
export function components(settings: StackSettings): Component[] {
  return [...engines(settings), ...apps(settings)];
}

export async function installEngines(list: readonly Engine[]): Promise<void> {
  const local = list.filter((engine) => !engine.external);
  if (local.length === 0) return;
  const startedAt = Date.now();
  await settleAll(local.map((engine) => engine.install()));
  done('install', `${local.map((e) => e.name).join(', ')} present`, startedAt);
}

export async function startEngines(launch: Launch, list: readonly Engine[]): Promise<void> {
  await settleAll(list.map((engine) => ensureEngine(launch, engine)));
}

async function ensureEngine(launch: Launch, engine: Engine): Promise<void> {
  const startedAt = Date.now();
  const { paths } = launch.settings;
  if (engine.external) {
    await waitUntilReady(engine.probe, { what: `${engine.name} (external)`, timeoutMs: 30_000 });
    done(engine.name, `external (${ENGINE_ADDRESS_VARIABLES[engine.name]})`, startedAt);
    return;
  }
  if (await reuseIfRunning(launch, engine, startedAt)) return;
  await assertPortsFree(engine, ENGINE_ADDRESS_VARIABLES[engine.name]);
  await engine.prepare();
  launch.assertOpen();
  const daemon = startDaemon(paths, engine.daemon());
  launch.started.push({ component: engine, pid: daemon.pid });
  await waitUntilReady(engine.probe, {
    what: engine.name,
    timeoutMs: engine.readyTimeoutMs,
    pid: daemon.pid,
    log: logFile(paths, engine.name),
  });
  done(engine.name, `started on ${engine.address} (pid ${daemon.pid})`, startedAt);
}

/** A component already running from an earlier start is reused once it answers. */
async function reuseIfRunning(
  launch: Launch,
  component: Component,
  startedAt: number,
): Promise<boolean> {
  const { paths } = launch.settings;
  const state = inspectPidFile(paths, component.name, component.marker);
  if (state.kind === 'stale')
    warn(`${component.name}: removed a stale pid file (pid ${state.pid} is gone)`);
  if (state.kind !== 'running') return false;
  await waitUntilReady(component.probe, {
    what: `${component.name} (already running, pid ${state.pid})`,
    timeoutMs: component.readyTimeoutMs,
    pid: state.pid,
    log: logFile(paths, component.name),
  });
  launch.reused.push(component.name);
  done(component.name, `already running (pid ${state.pid})`, startedAt);
  return true;
}

async function assertPortsFree(component: Component, variable?: string): Promise<void> {
  for (const port of component.ports) {
    if (await isPortFree(port)) continue;
    const holder = await portHolder(port);
    const useIt = variable ? `, or set ${variable} to use that server instead` : '';
    throw new StackError(
      `${component.name} cannot start: port ${port} is in use by ${holder}. Stop that process${useIt}.`,
    );
  }
}

export interface StartAppsOptions {
  env: NodeJS.ProcessEnv;
  /** Stop app processes already running (from an earlier start) and start fresh ones. */
  replace: boolean;
}

export async function startApps(launch: Launch, options: StartAppsOptions): Promise<void> {
  const list = apps(launch.settings);
  for (const app of list.filter((a) => !appExists(a)))
    warn(`${app.name}: ${app.entry} does not exist yet, skipped`);
  const present = list.filter(appExists);
  if (options.replace) {
    const stopped = await stopRunning(launch.settings, [...present].reverse());
    if (stopped.length > 0) warn(`stopped the running ${stopped.join(', ')} to start fresh ones`);
  }
  await settleAll(present.map((app) => ensureApp(launch, app, options.env)));
}

async function ensureApp(launch: Launch, app: App, env: NodeJS.ProcessEnv): Promise<void> {
  const startedAt = Date.now();
  const { paths } = launch.settings;
  if (await reuseIfRunning(launch, app, startedAt)) return;
  await assertPortsFree(app);
  launch.assertOpen();
  const daemon = startDaemon(paths, appDaemon(app, env));
  launch.started.push({ component: app, pid: daemon.pid });
  await waitUntilReady(startupProbe(app, daemon.pid), {
    what: app.name,
    timeoutMs: app.readyTimeoutMs,
    pid: daemon.pid,
    log: logFile(paths, app.name),
  });
  const where = app.healthUrl ? ` on :${app.ports[0]}` : '';
  done(app.name, `started${where} (pid ${daemon.pid})`, startedAt);
}

/** Stops what this launch started, last started first; nothing can be started after. */
export async function stopStarted(launch: Launch): Promise<void> {
  launch.close();
  const list = [...launch.started].reverse();
  launch.started.length = 0;
  for (const { component, pid: startedPid } of list) {
    // A component restarted since (by the chaos run, or by hand) has a new pid in its pid
    // file: stop that one, so nothing the launch is responsible for is left behind.
    const current = inspectPidFile(launch.settings.paths, component.name, component.marker);
    const pid = !isAlive(startedPid) && current.kind === 'running' ? current.pid : startedPid;
    const outcome = await stopProcess(pid, component.stop);
    removePidFile(launch.settings.paths, component.name, pid);
    reportStop(component.name, pid, outcome);
  }
}

/** Stops running components found through their pid files; returns the names stopped. */
export async function stopRunning(
  settings: StackSettings,
  list: readonly Component[],
): Promise<string[]> {
  const stopped: string[] = [];
  for (const component of list) {
    const state = inspectPidFile(settings.paths, component.name, component.marker);
    if (state.kind === 'stale')
      warn(`${component.name}: removed a stale pid file (pid ${state.pid} is gone)`);
    if (state.kind !== 'running') continue;
    const outcome = await stopProcess(state.pid, component.stop);
    removePidFile(settings.paths, component.name, state.pid);
    reportStop(component.name, state.pid, outcome);
    stopped.push(component.name);
  }
  return stopped;
}

function reportStop(name: string, pid: number, outcome: StopOutcome): void {
  if (outcome === 'killed') warn(`${name} (pid ${pid}) did not stop in time and was killed`);
  else if (outcome === 'not running') warn(`${name} (pid ${pid}) had already exited`);
  else done(name, `stopped (pid ${pid})`);
}

/**
 * Waits for every task, even after one fails, so no process is started behind the caller's
 * back while it is already cleaning up; then throws the first failure.
 */
export async function settleAll(tasks: readonly Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}
