/**
 * `npm run stack:down`: stops every process the launcher started, found through the pid
 * files, apps first and engines last (an app that is still flushing an event should find
 * Kafka there). Each gets its clean-shutdown signal, then SIGKILL after its timeout. External
 * engines have no pid file and are never touched. The data stays: only deleting the state
 * folder resets it.
 */
import { say } from '../output';
import { loadStackSettings } from '../settings';
import { components, stopRunning } from '../stack';

export async function downCommand(): Promise<number> {
  const settings = loadStackSettings();
  const stopped = await stopRunning(settings, [...components(settings)].reverse());
  say(
    stopped.length > 0
      ? 'stack stopped; data kept in ' + settings.paths.root
      : 'nothing was running',
  );
  return 0;
}
