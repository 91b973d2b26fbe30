/**
 * The parent's side of the load-client processes (client-worker.ts): starts one, checks that
 * its clock is the parent's (latencies are taken across the two), and asks it things.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { now } from './clock';
import type { FromClient, Reply, ToClient } from './messages';

const ENTRY = fileURLToPath(new URL('./client-worker.ts', import.meta.url));

export class LoadClient {
  /** Connections that closed after they were open: global index and reason. */
  onDropped: (connection: number, why: string) => void = () => {};
  /** Latest progress while connecting. */
  progress = { open: 0, failed: 0 };
  private waiting = new Map<string, (message: FromClient) => void>();

  private constructor(
    readonly index: number,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: FromClient) => {
      if (message.type === 'dropped') this.onDropped(message.connection, message.why);
      else if (message.type === 'progress') this.progress = message;
      const waiter = this.waiting.get(message.type);
      this.waiting.delete(message.type);
      waiter?.(message);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(index: number): Promise<LoadClient> {
    const forkedAt = now();
    const child = fork(ENTRY, [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const client = new LoadClient(index, child);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`load client ${index + 1} exited (${code})`))),
    );
    exited.catch(() => {}); // only raced below; a later exit is the parent's business
    const ready = await Promise.race([client.next('ready'), exited]);
    const readyAt = now();
    if (ready.clock < forkedAt || ready.clock > readyAt) {
      throw new Error(
        `load client ${index + 1}: its monotonic clock (${ready.clock}) is not the parent's ` +
          `(${forkedAt}..${readyAt}); cross-process latencies would be wrong`,
      );
    }
    return client;
  }

  /** The next message of this type. */
  next<T extends FromClient['type']>(type: T): Promise<Reply<T>> {
    return new Promise((resolve) => {
      this.waiting.set(type, (message) => resolve(message as Reply<T>));
    });
  }

  send(message: ToClient): void {
    this.child.send(message);
  }

  ask<T extends FromClient['type']>(message: ToClient, reply: T): Promise<Reply<T>> {
    const answer = this.next(reply);
    this.send(message);
    return answer;
  }

  /** Closes its sockets and waits for it to exit. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    if (this.child.connected) this.send({ type: 'close' });
    else this.child.kill('SIGTERM');
    await exited;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
