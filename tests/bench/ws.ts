/**
 * `npm run bench:ws`: how many subscribers the gateway holds, at what memory, and how fast a
 * status change reaches them. Prints figures; it is not a test and asserts nothing but the
 * count of lost messages. Loopback only, bounded in time, cleans up after itself.
 *
 * It starts the real gateway (`src/cli/gateway.ts`) as child processes (replicas, each on its
 * own port with its own GATEWAY_ID, all on the same Redis) with a JWKS of its own, and load
 * clients as child processes (ws/client-worker.ts) that open N authenticated WebSockets spread
 * over users (5 per user, the limit, dealt round-robin over the replicas), then:
 *   1. steady: R status changes per second to random users for D seconds;
 *   2. burst: one change to every user at the same instant (N deliveries at once).
 * With `--layout fanout` all N connections watch one customer (as admins, 5 per admin) and
 * every change goes to all of them: one topic publish per replica, N deliveries.
 * Changes go through createStatusPublisher, exactly as the worker publishes them, from this
 * process. Latency is from just before the publish to the client's receipt, on the machine's
 * monotonic clock (ws/clock.ts), which every process shares.
 *
 * One process holds at most (open-file limit - 1024) sockets; a run larger than
 * `--per-process` (18,000) gets ceil(N / 18,000) replicas and as many load clients unless
 * `--gateways` / `--clients` say otherwise. 10,000 (the default) is one of each.
 *
 *   npm run bench:ws -- --connections 10000 --rate 500 --seconds 20
 *   npm run bench:ws -- --connections 10000 --layout fanout --rate 5 --seconds 20
 *   npm run bench:ws -- --connections 100000 --gateways 6 --clients 6 --rate 500 --seconds 20
 *
 * Needs Redis and Postgres (`npm run stack:up`). Everything runs on the same cores as Redis;
 * the CPU of the replicas, the load clients and this process is printed so each share shows.
 */
import { loadavg } from 'node:os';
import { loadConfig } from '../../src/config';
import { redisKeys } from '../../src/contract/redis-keys';
import { createRedis } from '../../src/redis';
import { makeCallers } from './ws/callers';
import { LoadClient } from './ws/clients';
import { connectAll } from './ws/connect';
import { OpenCounts } from './ws/open-counts';
import { ensureFileLimit, readOptions, sizeRun } from './ws/options';
import { createPhases } from './ws/phases';
import { callerCount, type Shape } from './ws/placement';
import { openFileLimits, sampleProc } from './ws/proc';
import {
  collectGarbage,
  heapOf,
  startJwks,
  startReplica,
  stopReplica,
  type Replica,
} from './ws/replicas';
import { printRun, saveRun, type RunFigures } from './ws/report';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (text: string) => console.log(`[bench:ws] ${text}`);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const limits = openFileLimits();
  const sizing = sizeRun(options, limits.hard);
  if (ensureFileLimit(sizing.fileLimit, limits)) return;
  for (const note of sizing.notes) log(note);
  const config = loadConfig();
  const shape: Shape = {
    connections: sizing.connections,
    perUser: options.perUser,
    gateways: sizing.gateways,
    clients: sizing.clients,
    addresses: sizing.addresses,
  };
  const deadline = setTimeout(() => {
    log(`still running after ${options.maxSeconds} s: giving up`);
    process.exit(2);
  }, options.maxSeconds * 1000);
  deadline.unref();
  const loads: number[] = [loadavg()[0]!];
  const loadSampler = setInterval(() => loads.push(loadavg()[0]!), 5000);

  // Children die with this process, however it ends.
  const replicas: Replica[] = [];
  const clients: LoadClient[] = [];
  process.once('exit', () => {
    for (const replica of replicas) replica.child.kill('SIGKILL');
    for (const client of clients) client.kill();
  });
  process.once('SIGINT', () => process.exit(130));

  // The replicas, idle: a full GC first, so the baseline is live memory.
  const jwks = await startJwks();
  replicas.push(
    ...(await Promise.all(
      range(shape.gateways).map((i) => startReplica(i, jwks.url, shape.perUser)),
    )),
  );
  await sleep(1000);
  replicas.forEach(collectGarbage);
  await sleep(500);
  const idle = replicas.map((r) => sampleProc(r.pid));
  const idleHeap = await Promise.all(replicas.map(heapOf));
  for (const [i, r] of replicas.entries()) {
    log(
      `${r.id} pid ${r.pid} on :${r.port}, idle RSS ${(idle[i]!.rssBytes / 2 ** 20).toFixed(1)} MiB`,
    );
  }
  // Connected before the sockets are, like every other connection the bench makes.
  const redis = createRedis(config.REDIS_URL);

  const callers = await makeCallers(jwks.keys, callerCount(shape), options.fanout);
  clients.push(...(await Promise.all(range(shape.clients).map((i) => LoadClient.start(i)))));
  const open = new OpenCounts(callers.users.length, shape.gateways);
  const connected = await connectAll({
    shape,
    replicas,
    clients,
    callers,
    open,
    concurrency: options.connectConcurrency,
    log,
  });
  log(
    `${connected.opened} connections open (${sum(Object.values(connected.failures))} failed) ` +
      `in ${connected.seconds.toFixed(1)} s`,
  );

  // Snapshots sent, resume waits over, every socket live; then a full GC in every replica, so
  // what is measured is what holding the connections costs, not the upgrades' garbage.
  await sleep(options.settleSeconds * 1000);
  const beforeGc = replicas.map((r) => sampleProc(r.pid));
  replicas.forEach(collectGarbage);
  // V8 hands freed pages back to the OS from a background thread after the GC: give it time.
  await sleep(3000);
  const afterGc = replicas.map((r) => sampleProc(r.pid));
  const heaps = await Promise.all(replicas.map(heapOf));
  const counts = await Promise.all(clients.map((c) => c.ask({ type: 'count' }, 'count')));
  const heldByReplica = range(shape.gateways).map((g) =>
    sum(counts.map((c) => c.openByReplica[g]!)),
  );

  const phases = createPhases({ redis, users: callers.users, open, replicas, clients });
  const steady = await phases.steady(options.rate, options.seconds);
  // With one watched user the steady phase already sends every change to all N sockets.
  const burst = options.fanout ? null : await phases.burst();

  clearInterval(loadSampler);
  loads.push(loadavg()[0]!);
  const run: RunFigures = {
    asked: options.connections,
    connections: shape.connections,
    held: sum(heldByReplica),
    failures: connected.failures,
    callers: callers.ids.length,
    perUser: shape.perUser,
    fanout: options.fanout,
    gateways: shape.gateways,
    clients: shape.clients,
    addresses: shape.addresses,
    hardFileLimit: limits.hard,
    notes: sizing.notes,
    connect: {
      seconds: connected.seconds,
      gatewayCores: connected.gatewayCores,
      clientCores: connected.replies.map((c) => c.cpuSeconds / connected.seconds),
    },
    replicas: replicas.map((r, g) => ({
      id: r.id,
      port: r.port,
      pid: r.pid,
      held: heldByReplica[g]!,
      idle: idle[g]!,
      beforeGc: beforeGc[g]!,
      afterGc: afterGc[g]!,
      idleHeap: idleHeap[g]!,
      heap: heaps[g]!,
    })),
    loadClients: clients.map((c, i) => {
      const reply = connected.replies[i]!;
      return {
        pid: c.pid,
        connections: reply.open.length,
        failed: sum(Object.values(reply.failures)),
        connectSeconds: reply.seconds,
        connectCores: reply.cpuSeconds / reply.seconds,
        rssBytes: counts[i]!.rssBytes,
      };
    }),
    phases: burst ? [steady, burst] : [steady],
    load: { min: Math.min(...loads), max: Math.max(...loads), atEnd: loadavg() },
    dropped: connected.dropped,
  };
  printRun(run);
  console.log(`\nfigures saved to ${saveRun(run)}`);

  // Clean up: sockets, the replicas, and what we wrote to Redis.
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(replicas.map(stopReplica));
  const keys = [
    ...callers.users.map((u) => redisKeys.userStatusStream(u)),
    ...callers.ids.map((u) => redisKeys.wsSessions(u)),
    ...phases.eventIds.map((id) => redisKeys.publishedEvent(id)),
  ];
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  redis.disconnect();
  jwks.server.close();
  clearTimeout(deadline);
  const lost = sum(run.phases.map((p) => p.lost));
  if (lost !== 0) {
    console.error(`LOST ${lost} messages`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error('bench:ws failed', err);
  process.exit(1);
});
