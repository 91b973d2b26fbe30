/**
 * `npm run stack:status`: one row per component, probed live.
 *
 *   healthy       running and answering its health check
 *   unhealthy     running (pid alive) but not answering
 *   stopped       not running; a port held by someone else is named
 *   external      an engine the environment points elsewhere; probed all the same
 *   not written   an app whose src/cli entry file does not exist yet
 *
 * Memory is the proportional set size of the process and its children (see supervise.ts).
 * Exits 1 when any component that should run is not healthy, so scripts can rely on it.
 */
import { appExists } from '../apps';
import type { App, Component, Engine } from '../components';
import { dim, green, megabytes, red, say, table, yellow } from '../output';
import { isPortFree, portHolder } from '../ports';
import { withTimeout } from '../readiness';
import { ENGINE_ADDRESS_VARIABLES, loadStackSettings, type StackSettings } from '../settings';
import { components } from '../stack';
import { inspectPidFile, treeMemory } from '../supervise';

type Health = 'healthy' | 'unhealthy' | 'stopped' | 'not written';

interface Row {
  health: Health;
  cells: string[];
}

export async function statusCommand(): Promise<number> {
  const settings = loadStackSettings();
  const rows = await Promise.all(components(settings).map((c) => describe(settings, c)));
  say(
    table([['COMPONENT', 'STATE', 'PID', 'PORT', 'MEMORY', 'NOTE'], ...rows.map((r) => r.cells)]),
  );
  const counted = rows.filter((r) => r.health !== 'not written');
  const healthy = counted.filter((r) => r.health === 'healthy').length;
  say('');
  say(
    healthy === counted.length
      ? green(`all ${healthy} components healthy`)
      : `${healthy} of ${counted.length} components healthy`,
  );
  return healthy === counted.length ? 0 : 1;
}

async function describe(settings: StackSettings, component: Component): Promise<Row> {
  const port = component.ports[0] === undefined ? '-' : String(component.ports[0]);
  if (isEngine(component) && component.external) {
    const health = (await probe(component)) ? 'healthy' : 'unhealthy';
    const note = `external (${ENGINE_ADDRESS_VARIABLES[component.name]})`;
    return { health, cells: [component.name, paint(health), '-', '-', '-', note] };
  }
  if (isApp(component) && !appExists(component)) {
    return {
      health: 'not written',
      cells: [component.name, dim('not written'), '-', port, '-', `no ${component.entry}`],
    };
  }
  const state = inspectPidFile(settings.paths, component.name, component.marker);
  if (state.kind !== 'running') {
    const note = await portNote(component);
    return { health: 'stopped', cells: [component.name, paint('stopped'), '-', port, '-', note] };
  }
  const health = (await probe(component)) ? 'healthy' : 'unhealthy';
  const memory = megabytes(treeMemory(state.pid));
  return { health, cells: [component.name, paint(health), String(state.pid), port, memory, ''] };
}

async function probe(component: Component): Promise<boolean> {
  try {
    return await withTimeout(component.probe(), 6000, `${component.name} probe`);
  } catch {
    return false;
  }
}

async function portNote(component: Component): Promise<string> {
  for (const port of component.ports) {
    if (!(await isPortFree(port))) return `port ${port} held by ${await portHolder(port)}`;
  }
  return '';
}

function paint(health: Health): string {
  if (health === 'healthy') return green(health);
  if (health === 'unhealthy') return red(health);
  return yellow(health);
}

function isEngine(component: Component): component is Engine {
  return 'external' in component;
}

function isApp(component: Component): component is App {
  return 'entry' in component;
}
