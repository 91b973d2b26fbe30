/**
 * Opening the connections: each load client gets its slice (placement.ts) and opens it, all
 * clients at once; the parent logs progress, records what is open where (OpenCounts) and what
 * the replicas and the clients spent doing it.
 */
import type { Callers } from './callers';
import type { LoadClient } from './clients';
import { now } from './clock';
import type { ClientPlan, Reply } from './messages';
import type { OpenCounts } from './open-counts';
import { callerOf, clientSlice, gatewayOf, type Shape } from './placement';
import { coresBetween, sampleProc } from './proc';
import type { Replica } from './replicas';

const PROGRESS_MS = 10_000;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export interface Connected {
  /** Each client's answer: which of its connections are open, why the others are not. */
  replies: Reply<'connected'>[];
  opened: number;
  failures: Record<string, number>;
  seconds: number;
  /** Share of a core each replica spent while the connections were opened. */
  gatewayCores: number[];
  /** Connections closed by the other side since they opened, by reason (kept up to date). */
  dropped: Record<string, number>;
}

export interface ConnectDeps {
  shape: Shape;
  replicas: Replica[];
  clients: LoadClient[];
  callers: Callers;
  /** Filled in: what is open where. */
  open: OpenCounts;
  /** Upgrades in flight at once, per client. */
  concurrency: number;
  log: (text: string) => void;
}

export async function connectAll({
  shape,
  replicas,
  clients,
  callers,
  open,
  concurrency,
  log,
}: ConnectDeps): Promise<Connected> {
  const userOf = (i: number) => callers.watchedBy(callerOf(shape, i));
  const dropped: Record<string, number> = {};
  for (const client of clients) {
    client.onDropped = (i, why) => {
      dropped[why] = (dropped[why] ?? 0) + 1;
      open.add(userOf(i), gatewayOf(shape, i), -1);
    };
  }
  const started = now();
  const before = replicas.map((r) => sampleProc(r.pid));
  const progress = setInterval(() => {
    const opened = sum(clients.map((c) => c.progress.open));
    log(`connecting: ${opened} open, ${sum(clients.map((c) => c.progress.failed))} failed`);
  }, PROGRESS_MS);
  const replies = await Promise.all(
    clients.map((client) => {
      const { first, end } = clientSlice(shape, client.index);
      const firstCaller = callerOf(shape, first);
      const own = Array.from(
        { length: callerOf(shape, end - 1) + 1 - firstCaller },
        (_, k) => firstCaller + k,
      );
      const plan: ClientPlan = {
        shape,
        first,
        end,
        ports: replicas.map((r) => r.port),
        firstCaller,
        tokens: own.map((c) => callers.tokens[c]!),
        paths: own.map((c) => `/ws/orders/${callers.users[callers.watchedBy(c)]}`),
        concurrency,
      };
      return client.ask({ type: 'plan', plan }, 'connected');
    }),
  );
  clearInterval(progress);
  const seconds = (now() - started) / 1000;
  const after = replicas.map((r) => sampleProc(r.pid));
  const failures: Record<string, number> = {};
  replies.forEach((reply, c) => {
    const { first } = clientSlice(shape, c);
    reply.open.forEach((isOpen, k) => {
      if (isOpen) open.add(userOf(first + k), gatewayOf(shape, first + k), 1);
    });
    for (const [why, n] of Object.entries(reply.failures)) failures[why] = (failures[why] ?? 0) + n;
  });
  return {
    replies,
    opened: sum(replies.map((r) => r.open.reduce((a, b) => a + b, 0))),
    failures,
    seconds,
    gatewayCores: replicas.map((_, g) => coresBetween(before[g]!, after[g]!, seconds).cores),
    dropped,
  };
}
