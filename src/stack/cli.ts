/**
 * The local stack launcher: `tsx src/stack/cli.ts <command>`, normally through npm scripts.
 *
 *   start           npm start           everything, in the foreground; Ctrl-C stops it all
 *   up              npm run stack:up    everything, in the background; returns when ready
 *   down            npm run stack:down  stops what `up` or `start` left running
 *   status          npm run stack:status  health, pid, port and memory of each component
 *   logs [name]     npm run stack:logs  follows the logs
 *   test [args]     npm test            checks, stack, vitest (args go to vitest)
 *
 * docs/stack.md describes each in full, with the state folder layout and troubleshooting.
 */
import { downCommand } from './commands/down';
import { logsCommand } from './commands/logs';
import { startCommand } from './commands/start';
import { statusCommand } from './commands/status';
import { testCommand } from './commands/test';
import { red, StackError } from './output';

const USAGE = `usage: tsx src/stack/cli.ts <start|up|down|status|logs [component]|test [vitest args]>`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return startCommand('foreground');
    case 'up':
      return startCommand('detached');
    case 'down':
      return downCommand();
    case 'status':
      return statusCommand();
    case 'logs':
      return logsCommand(rest[0]);
    case 'test':
      return testCommand(rest);
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  // Exit explicitly: a client library's idle socket or timer must not keep the launcher alive.
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof StackError) console.error(red(`✗ ${error.message}`));
    else console.error(error);
    process.exit(1);
  },
);
