/**
 * Ports: is one free for us to listen on, and if not, who holds it. A port held by some
 * other program (a system Postgres, a stray `npm run api`) is reported by name and pid, so the
 * fix is obvious, rather than surfacing later as a confusing start-up failure in a log.
 */
import { createServer, Socket } from 'node:net';
import { runCapture, which } from './shell';

/** True when nothing listens on host:port (we could bind it). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** True when something accepts a TCP connection on host:port. */
export function canConnect(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.connect(port, host, () => finish(true));
  });
}

/** "postgres (pid 812)" for whatever listens on a TCP port, as far as `ss` can tell. */
export async function portHolder(port: number): Promise<string> {
  if (!which('ss')) return 'another program';
  const { output } = await runCapture('ss', ['-ltnpH', `sport = :${port}`]);
  const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(output);
  return match ? `${match[1]} (pid ${match[2]})` : 'another program';
}
