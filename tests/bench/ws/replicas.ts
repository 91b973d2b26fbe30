/**
 * The gateways under test: the real entry point (`src/cli/gateway.ts`), one child process per
 * replica, each on a port of its own with its own GATEWAY_ID, all subscribed to the same Redis
 * as production replicas are. Plus the JWKS they fetch the bench's public key from.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { loadGatewayOptions } from '../../../gateway/options';
import { generateSigningKeys } from '../../../src/auth/keys';
import { now } from './clock';

export const ISSUER = 'ws-bench';

export async function startJwks() {
  const keys = await generateSigningKeys();
  const body = JSON.stringify(keys.jwks);
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { keys, url: `http://127.0.0.1:${port}/.well-known/jwks.json`, server };
}

export interface Replica {
  /** ws-bench-1, ws-bench-2, ... */
  id: string;
  pid: number;
  port: number;
  child: ChildProcess;
  /** When it started listening (clock.ts): its heartbeat timer runs from about then. */
  startedAt: number;
}

/** The replicas' heartbeat period: they inherit this environment. */
export const HEARTBEAT_MS = loadGatewayOptions(process.env).pingIntervalMs;

/** The replicas' heartbeat ticks between two instants (clock.ts), as ms since `from`. */
export function heartbeatsBetween(replicas: Replica[], from: number, to: number): number[] {
  const ticks: number[] = [];
  for (const r of replicas) {
    for (let t = r.startedAt + HEARTBEAT_MS; t < to; t += HEARTBEAT_MS) {
      if (t >= from) ticks.push(t - from);
    }
  }
  return ticks.sort((a, b) => a - b);
}

export async function startReplica(
  index: number,
  jwksUrl: string,
  perUser: number,
): Promise<Replica> {
  const id = `ws-bench-${index + 1}`;
  // The real entry point, plus a way for the bench to ask for a full GC (SIGUSR2) so memory is
  // measured as live data, not as garbage V8 has not collected yet.
  const entry =
    "process.on('SIGUSR2', () => globalThis.gc?.()); await import('./src/cli/gateway.ts');";
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', entry],
    {
      env: {
        ...process.env,
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_PORT: '0',
        JWKS_URL: jwksUrl,
        JWT_ISSUER: ISSUER,
        JWT_AUDIENCE: ISSUER,
        GATEWAY_ID: id,
        GATEWAY_MAX_CONNECTIONS_PER_USER: String(perUser),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`gateway ${id} exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('gateway listening')) resolve((JSON.parse(line) as { port: number }).port);
      else console.error(`[${id}] ${line}`); // closes with their reason, warnings
    });
  });
  return { id, pid: child.pid!, port, child, startedAt: now() };
}

/** A full GC in the replica (its SIGUSR2 handler). */
export function collectGarbage(replica: Replica): void {
  process.kill(replica.pid, 'SIGUSR2');
}

export interface HeapSample {
  heapUsed: number;
  /** V8 heap committed: used plus what V8 keeps for itself after a GC. */
  heapTotal: number;
  external: number;
}

/** V8 heap and external memory of a replica, from its /metrics. */
export async function heapOf(replica: Replica): Promise<HeapSample> {
  const text = await (await fetch(`http://127.0.0.1:${replica.port}/metrics`)).text();
  const value = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    heapUsed: value('nodejs_heap_size_used_bytes'),
    heapTotal: value('nodejs_heap_size_total_bytes'),
    external: value('nodejs_external_memory_bytes'),
  };
}

/** SIGTERM: the gateway closes its sockets and removes its sessions from Redis, then exits. */
export async function stopReplica(replica: Replica): Promise<void> {
  if (replica.child.exitCode !== null || replica.child.signalCode !== null) return;
  const exited = once(replica.child, 'exit');
  replica.child.kill('SIGTERM');
  await exited;
}
