/**
 * Ctrl-C and SIGTERM. The launcher's processes run in process groups of their own, so the
 * terminal's Ctrl-C reaches the launcher alone; it is then the launcher's job to stop what
 * it started, in order. These helpers make that the same in every command.
 */
import { say } from './output';
import { Launch, stopStarted } from './stack';

export interface SignalWatch {
  readonly fired: boolean;
  /** Resolves once the handler has finished (never, if no signal comes). */
  readonly done: Promise<void>;
  dispose(): void;
}

/**
 * Runs `handler` on the first SIGINT or SIGTERM. Later signals only say to wait: stopping
 * escalates to SIGKILL by itself after each component's timeout, so no process is left.
 */
export function onFirstSignal(handler: () => Promise<void>): SignalWatch {
  let firedAt: number | undefined;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  const listener = (): void => {
    if (firedAt !== undefined) {
      // Under `npm start`, one Ctrl-C arrives twice: from the terminal, and relayed by tsx.
      if (Date.now() - firedAt > 1000)
        say('still stopping: each component gets a few seconds, then it is killed');
      return;
    }
    firedAt = Date.now();
    handler().then(finish, (error: unknown) => {
      console.error(error);
      finish();
    });
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return {
    get fired() {
      return firedAt !== undefined;
    },
    done,
    dispose() {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    },
  };
}

/**
 * Runs a start-up sequence that a signal may cut short. On a signal, what the launch started
 * is stopped and 'interrupted' is returned at once; the step in flight is abandoned (the
 * launch is closed, so it can start nothing more). On a failure, what the launch started is
 * stopped and the error rethrown: a failed start leaves the machine as it found it.
 */
export async function interruptible(
  launch: Launch,
  task: () => Promise<void>,
): Promise<'done' | 'interrupted'> {
  const interrupted = onFirstSignal(async () => {
    say('\ninterrupted: stopping what was started…');
    await stopStarted(launch);
  });
  const work = task();
  try {
    return await Promise.race([
      work.then(() => 'done' as const),
      interrupted.done.then(() => 'interrupted' as const),
    ]);
  } catch (error) {
    if (interrupted.fired) {
      await interrupted.done;
      return 'interrupted';
    }
    await stopStarted(launch);
    throw error;
  } finally {
    work.catch(() => {});
    interrupted.dispose();
  }
}
