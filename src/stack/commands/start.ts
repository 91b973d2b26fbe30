/**
 * `npm start` and `npm run stack:up`: the same start-up, two ways of living with it.
 *
 * - start (foreground): stays attached to the terminal, says when a process dies, and on
 *   Ctrl-C or SIGTERM stops everything it started, apps first, engines last.
 * - up (detached): returns as soon as everything is ready; the processes run on until
 *   `npm run stack:down`.
 *
 * Either way, a failure part-way through stops what this run had started, so a failed start
 * leaves the machine as it found it, with the log tail of the culprit on screen.
 */
import { setInterval } from 'node:timers';
import { appExists, apps } from '../apps';
import { TEMPORAL_UI_PORT } from '../engines/temporal';
import { bold, dim, green, say, seconds, warn } from '../output';
import { logFile } from '../paths';
import { loadStackSettings, type StackSettings } from '../settings';
import { interruptible, onFirstSignal } from '../signals';
import { bootstrap } from '../bootstrap';
import { engines, installEngines, Launch, startApps, startEngines, stopStarted } from '../stack';
import { isAlive } from '../supervise';

export async function startCommand(mode: 'foreground' | 'detached'): Promise<number> {
  const startedAt = Date.now();
  const settings = loadStackSettings();
  const launch = new Launch(settings);
  const outcome = await interruptible(launch, async () => {
    const list = engines(settings);
    await installEngines(list);
    await startEngines(launch, list);
    await bootstrap(settings, { seed: true });
    await startApps(launch, { env: process.env, replace: false });
  });
  if (outcome === 'interrupted') return 130;

  printUrls(settings);
  say(green(bold(`ready in ${seconds(Date.now() - startedAt)}`)));
  if (mode === 'detached') {
    say(
      dim(
        'running in the background: `npm run stack:status`, `npm run stack:logs`, `npm run stack:down`',
      ),
    );
    return 0;
  }
  return superviseUntilSignal(launch);
}

/** Foreground life: report processes that die, stop everything on Ctrl-C / SIGTERM. */
async function superviseUntilSignal(launch: Launch): Promise<number> {
  if (launch.reused.length > 0) {
    say(
      dim(`already running before this start, left running on exit: ${launch.reused.join(', ')}`),
    );
  }
  say(dim('Ctrl-C stops everything this command started'));
  const reported = new Set<number>();
  // The interval also keeps the event loop, and so this process, alive.
  const watch = setInterval(() => {
    for (const { component, pid } of launch.started) {
      if (isAlive(pid) || reported.has(pid)) continue;
      reported.add(pid);
      warn(
        `${component.name} (pid ${pid}) exited: see ${logFile(launch.settings.paths, component.name)}`,
      );
    }
  }, 2000);
  const stopped = onFirstSignal(async () => {
    clearInterval(watch);
    say('\nstopping…');
    await stopStarted(launch);
    say('stopped');
  });
  await stopped.done;
  return 0;
}

export function printUrls(settings: StackSettings): void {
  const { config, external } = settings;
  const present = new Set(
    apps(settings)
      .filter(appExists)
      .map((a) => a.name),
  );
  const api = `http://localhost:${config.API_PORT}`;
  const gateway = `localhost:${config.GATEWAY_PORT}`;
  const rows: [string, string][] = [
    ['API', api],
    ['OpenAPI', `${api}/openapi.json  (docs: ${api}/docs)`],
    ['WebSocket', `ws://${gateway}/ws/orders/{user_id}`],
    ['Demo page', `http://${gateway}/`],
  ];
  if (!external.temporal) rows.push(['Temporal UI', `http://localhost:${TEMPORAL_UI_PORT}`]);
  rows.push(
    ['Temporal', `${config.TEMPORAL_ADDRESS} (namespace ${config.TEMPORAL_NAMESPACE})`],
    ['Postgres', config.DATABASE_URL],
    ['Redis', config.REDIS_URL],
    ['Kafka', config.KAFKA_BROKERS.join(',')],
    ['Logs', `${settings.paths.logs}/  (npm run stack:logs [component])`],
  );
  say('');
  for (const [label, url] of rows) say(`  ${label.padEnd(12)} ${url}`);
  if (!present.has('api') || !present.has('gateway')) {
    say(
      dim('  (the API and gateway URLs answer once src/cli/api.ts and src/cli/gateway.ts exist)'),
    );
  }
  say('');
}
