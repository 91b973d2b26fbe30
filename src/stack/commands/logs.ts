/**
 * `npm run stack:logs [component]`: follows the logs, `tail -F` style (it keeps following
 * across a restart, when the file is appended to again). Without a component, every log in
 * the state folder, each line block headed by its file name.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { StackError } from '../output';
import { logFile } from '../paths';
import { loadStackSettings } from '../settings';
import { components } from '../stack';

export async function logsCommand(component: string | undefined): Promise<number> {
  const settings = loadStackSettings();
  const { logs } = settings.paths;
  let files: string[];
  if (component) {
    const known = components(settings).map((c) => c.name);
    if (!known.includes(component)) {
      throw new StackError(`unknown component "${component}": one of ${known.join(', ')}`);
    }
    files = [logFile(settings.paths, component)];
    if (!existsSync(files[0] ?? ''))
      throw new StackError(`no log yet for ${component} (${files[0]})`);
  } else {
    files = existsSync(logs)
      ? readdirSync(logs)
          .filter((name) => name.endsWith('.log'))
          .sort()
          .map((name) => path.join(logs, name))
      : [];
    if (files.length === 0) throw new StackError(`no logs yet in ${logs}: start the stack first`);
  }
  // tail shares the terminal: Ctrl-C ends it, and this command with it.
  const tail = spawn('tail', ['-n', '50', '-F', ...files], { stdio: 'inherit' });
  process.on('SIGINT', () => tail.kill('SIGINT'));
  return new Promise((resolve) => tail.on('exit', () => resolve(0)));
}
