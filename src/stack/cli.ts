/**
 * The local stack launcher: `tsx src/stack/cli.ts <command>`, normally through npm scripts.
 *
 *   start           npm start           everything, in the foreground; Ctrl-C stops it all
 *   up              npm run stack:up    everything, in the background; returns when ready
 *   down            npm run stack:down  stops what `up` or `start` left running
 *   status          npm run stack:status  health, pid, port and memory of each component
 *   logs [name]     npm run stack:logs  follows the logs
 *   topics                              the Kafka topics, partitions and message counts
 *   test [args]     npm test            checks, stack, vitest (args go to vitest)
 *
 * docs/stack.md describes each in full, with the state folder layout and troubleshooting.
 */
import { red, StackError } from './output';

const USAGE = `usage: tsx src/stack/cli.ts <start|up|down|status|logs [component]|topics|test [--no-checks] [vitest args]>`;

// Each command is loaded only when asked for: `status` need not load the database layer,
// the migrations or the test runner, and so answers sooner.
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return (await import('./commands/start')).startCommand('foreground');
    case 'up':
      return (await import('./commands/start')).startCommand('detached');
    case 'down':
      return (await import('./commands/down')).downCommand();
    case 'status':
      return (await import('./commands/status')).statusCommand();
    case 'logs':
      return (await import('./commands/logs')).logsCommand(rest[0]);
    case 'topics':
      return (await import('./commands/topics')).topicsCommand();
    case 'test':
      return (await import('./commands/test')).testCommand(rest);
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
