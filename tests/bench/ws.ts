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
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { createTokenSigner } from '../../src/auth/tokens';
import { loadConfig } from '../../src/config';
import { redisKeys } from '../../src/contract/redis-keys';
import { STATUS_MESSAGES } from '../../src/contract/ws-messages';
import { createRedis, createStatusPublisher } from '../../src/redis';
import { LoadClient } from './ws/clients';
import { now } from './ws/clock';
import { summarize } from './ws/latencies';
import type { ClientPlan } from './ws/messages';
import { OpenCounts } from './ws/open-counts';
import { ensureFileLimit, readOptions, sizeRun } from './ws/options';
import { callerCount, callerOf, clientSlice, gatewayOf, type Shape } from './ws/placement';
import { coresBetween, openFileLimits, sampleProc } from './ws/proc';
import {
  collectGarbage,
  heapOf,
  ISSUER,
  startJwks,
  startReplica,
  stopReplica,
  type Replica,
} from './ws/replicas';
import { printRun, saveRun, type PhaseFigures, type RunFigures } from './ws/report';

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
  const publisher = createStatusPublisher(redis);

  // Who connects (perUser connections each) and whose orders they watch: themselves, or in
  // the fanout layout one customer watched by admins. RS256 signing is the slow part: batches.
  const callers = Array.from({ length: callerCount(shape) }, () => randomUUID());
  const users = options.fanout ? [randomUUID()] : callers;
  const userOfConnection = (i: number) => (options.fanout ? 0 : callerOf(shape, i));
  const signer = createTokenSigner(
    jwks.keys,
    { issuer: ISSUER, audience: ISSUER, accessTtlSeconds: 3600, refreshTtlSeconds: 3600 },
    () => new Date(),
  );
  const tokens: string[] = [];
  for (let i = 0; i < callers.length; i += 500) {
    const signed = await Promise.all(
      callers
        .slice(i, i + 500)
        .map((u) => signer.signAccess({ userId: u, role: options.fanout ? 'admin' : 'user' })),
    );
    tokens.push(...signed.map((s) => s.token));
  }

  // Connections: each load client opens its slice, all at once.
  clients.push(...(await Promise.all(range(shape.clients).map((i) => LoadClient.start(i)))));
  const open = new OpenCounts(users.length, shape.gateways);
  const dropped: Record<string, number> = {};
  for (const client of clients) {
    client.onDropped = (i, why) => {
      dropped[why] = (dropped[why] ?? 0) + 1;
      open.add(userOfConnection(i), gatewayOf(shape, i), -1);
    };
  }
  const connectStarted = now();
  const beforeConnect = replicas.map((r) => sampleProc(r.pid));
  const progress = setInterval(() => {
    const opened = sum(clients.map((c) => c.progress.open));
    log(`connecting: ${opened} open, ${sum(clients.map((c) => c.progress.failed))} failed`);
  }, 10_000);
  const connected = await Promise.all(
    clients.map((client) => {
      const { first, end } = clientSlice(shape, client.index);
      const firstCaller = callerOf(shape, first);
      const ownCallers = range(callerOf(shape, end - 1) + 1 - firstCaller).map(
        (k) => firstCaller + k,
      );
      const plan: ClientPlan = {
        shape,
        first,
        end,
        ports: replicas.map((r) => r.port),
        firstCaller,
        tokens: ownCallers.map((c) => tokens[c]!),
        paths: ownCallers.map((c) => `/ws/orders/${options.fanout ? users[0] : callers[c]}`),
        concurrency: options.connectConcurrency,
      };
      return client.ask({ type: 'plan', plan }, 'connected');
    }),
  );
  clearInterval(progress);
  const connectSeconds = (now() - connectStarted) / 1000;
  const afterConnect = replicas.map((r) => sampleProc(r.pid));
  const failures: Record<string, number> = {};
  connected.forEach((reply, c) => {
    const { first } = clientSlice(shape, c);
    reply.open.forEach((isOpen, k) => {
      if (isOpen) open.add(userOfConnection(first + k), gatewayOf(shape, first + k), 1);
    });
    for (const [why, n] of Object.entries(reply.failures)) failures[why] = (failures[why] ?? 0) + n;
  });
  const opened = sum(connected.map((r) => r.open.reduce((a, b) => a + b, 0)));
  log(
    `${opened} connections open (${sum(Object.values(failures))} failed) in ` +
      `${connectSeconds.toFixed(1)} s`,
  );

  // Snapshots sent, resume waits over, every socket live; then a full GC in every replica, so
  // what is measured is what holding the connections costs, not the upgrades' garbage.
  await sleep(options.settleSeconds * 1000);
  const beforeGc = replicas.map((r) => sampleProc(r.pid));
  replicas.forEach(collectGarbage);
  await sleep(1000);
  const afterGc = replicas.map((r) => sampleProc(r.pid));
  const heaps = await Promise.all(replicas.map(heapOf));
  const counts = await Promise.all(clients.map((c) => c.ask({ type: 'count' }, 'count')));
  const heldByReplica = range(shape.gateways).map((g) =>
    sum(counts.map((c) => c.openByReplica[g]!)),
  );

  // Publishing, and what each change should reach.
  let seq = 0;
  const eventIds: string[] = [];
  let expected: number[] = [];
  /** Publishes that Redis refused or never answered (it restarts under chaos runs). */
  let failedPublishes: Record<string, number> = {};
  /** Publishes one change to users[user]; a failed publish is not expected anywhere. */
  const publishTo = async (user: number): Promise<void> => {
    const s = seq++;
    const share = range(shape.gateways).map(() => 0);
    open.addExpected(user, share);
    const phaseExpected = expected; // this phase's, even if the answer comes after it
    share.forEach((n, g) => (phaseExpected[g]! += n));
    const phaseFailures = failedPublishes;
    const eventId = randomUUID();
    eventIds.push(eventId);
    await publisher
      .publish({
        type: 'order.update',
        event_id: eventId,
        order_id: randomUUID(),
        user_id: users[user]!,
        status: 'processing',
        message: STATUS_MESSAGES.processing,
        timestamp: new Date().toISOString(),
        data: { seq: s, t: now() },
      })
      .catch((err: unknown) => {
        share.forEach((n, g) => (phaseExpected[g]! -= n));
        const why = err instanceof Error ? err.name : String(err);
        phaseFailures[why] = (phaseFailures[why] ?? 0) + 1;
      });
  };

  /**
   * Publishes, then waits until every expected delivery arrived (at most `drain.most` ms) and
   * at least `drain.least` ms (the single-process bench's fixed drain, so CPU shares are taken
   * over the same window as before), and measures.
   */
  const runPhase = async (
    name: string,
    publishAll: () => Promise<void>,
    drain: { least: number; most: number },
  ): Promise<PhaseFigures> => {
    const firstSeq = seq;
    await Promise.all(
      clients.map((c) => c.ask({ type: 'phase', fromSeq: firstSeq }, 'phase-started')),
    );
    expected = range(shape.gateways).map(() => 0);
    failedPublishes = {};
    const before = replicas.map((r) => sampleProc(r.pid));
    const publisherBefore = process.cpuUsage();
    const started = now();
    await publishAll();
    const published = now();
    while (now() < published + drain.most) {
      const answers = await Promise.all(clients.map((c) => c.ask({ type: 'count' }, 'count')));
      if (sum(answers.map((a) => a.received)) >= sum(expected)) break;
      await sleep(100);
    }
    await sleep(published + drain.least - now());
    const seconds = (now() - started) / 1000;
    const after = replicas.map((r) => sampleProc(r.pid));
    const publisherCpu = process.cpuUsage(publisherBefore);
    const reports = (
      await Promise.all(clients.map((c) => c.ask({ type: 'report' }, 'report')))
    ).map((r) => r.report);
    const byReplica = range(shape.gateways).map((g) => {
      const deliveries = sum(reports.map((r) => r.received[g]!));
      return {
        deliveries,
        lost: expected[g]! - deliveries,
        latency: summarize(reports.map((r) => r.latencies[g]!)),
        ...coresBetween(before[g]!, after[g]!, seconds),
      };
    });
    return {
      name,
      seconds,
      published: seq - firstSeq,
      deliveries: sum(byReplica.map((r) => r.deliveries)),
      lost: sum(byReplica.map((r) => r.lost)),
      stray: sum(reports.map((r) => r.stray)),
      failedPublishes,
      latency: summarize(reports.flatMap((r) => r.latencies)),
      replicas: byReplica,
      clients: reports.map((r) => ({
        cores: r.cpuSeconds / r.seconds,
        kernelCores: r.systemSeconds / r.seconds,
        rssBytes: r.rssBytes,
      })),
      publisherCores: (publisherCpu.user + publisherCpu.system) / 1e6 / seconds,
    };
  };

  const steady = await runPhase(
    `steady ${options.rate}/s for ${options.seconds} s`,
    async () => {
      const started = performance.now();
      const end = started + options.seconds * 1000;
      const pending: Promise<void>[] = [];
      while (performance.now() < end) {
        const due = Math.floor(((performance.now() - started) / 1000) * options.rate);
        while (pending.length < due) {
          pending.push(publishTo(Math.floor(Math.random() * users.length)));
        }
        await sleep(5);
      }
      await Promise.all(pending);
    },
    { least: 2000, most: 10_000 },
  );
  // With one watched user the steady phase already sends every change to all N sockets.
  const burst = options.fanout
    ? null
    : await runPhase(
        `burst: 1 change to each of ${users.length} users at once`,
        async () => {
          await Promise.all(users.map((_, u) => publishTo(u)));
        },
        { least: 3000, most: 30_000 },
      );

  clearInterval(loadSampler);
  loads.push(loadavg()[0]!);
  const run: RunFigures = {
    asked: options.connections,
    connections: shape.connections,
    held: sum(heldByReplica),
    failures,
    callers: callers.length,
    perUser: shape.perUser,
    fanout: options.fanout,
    gateways: shape.gateways,
    clients: shape.clients,
    addresses: shape.addresses,
    hardFileLimit: limits.hard,
    notes: sizing.notes,
    connect: {
      seconds: connectSeconds,
      gatewayCores: replicas.map(
        (_, g) => coresBetween(beforeConnect[g]!, afterConnect[g]!, connectSeconds).cores,
      ),
      clientCores: connected.map((c) => c.cpuSeconds / connectSeconds),
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
    loadClients: clients.map((c, i) => ({
      pid: c.pid,
      connections: connected[i]!.open.length,
      failed: sum(Object.values(connected[i]!.failures)),
      connectSeconds: connected[i]!.seconds,
      connectCores: connected[i]!.cpuSeconds / connected[i]!.seconds,
      rssBytes: counts[i]!.rssBytes,
    })),
    phases: burst ? [steady, burst] : [steady],
    load: { min: Math.min(...loads), max: Math.max(...loads), atEnd: loadavg() },
    dropped,
  };
  printRun(run);
  console.log(`\nfigures saved to ${saveRun(run)}`);

  // Clean up: sockets, the replicas, and what we wrote to Redis.
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(replicas.map(stopReplica));
  const keys = [
    ...users.map((u) => redisKeys.userStatusStream(u)),
    ...callers.map((u) => redisKeys.wsSessions(u)),
    ...eventIds.map((id) => redisKeys.publishedEvent(id)),
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
