/**
 * `npm run bench:ws`: how many subscribers one gateway holds, at what memory, and how fast a
 * status change reaches them. Prints figures; it is not a test and asserts nothing but the
 * count of lost messages. Loopback only, bounded in time, cleans up after itself.
 *
 * It starts the real gateway (`src/cli/gateway.ts`) as a child process with a JWKS of its own,
 * opens N authenticated WebSockets spread over users (5 per user, the limit) from several
 * 127.0.0.x source addresses, then:
 *   1. steady: R status changes per second to random users for D seconds;
 *   2. burst: one change to every user at the same instant (N deliveries at once).
 * With `--layout fanout` all N connections watch one customer (as admins, 5 per admin) and
 * every change goes to all of them: one topic publish, N deliveries.
 * Changes go through createStatusPublisher, exactly as the worker publishes them. Latency is
 * from just before the publish to the client's receipt, on the same clock (one process).
 *
 *   npm run bench:ws -- --connections 10000 --rate 500 --seconds 20
 *   npm run bench:ws -- --connections 10000 --layout fanout --rate 5 --seconds 20
 *   npm run bench:ws -- --connections 100000 --rate 200 --seconds 15
 *
 * Needs Redis and Postgres (`npm run stack:up`). The load client is one Node process on the
 * same 2 cores as the gateway and Redis; its own CPU is printed so its share is visible.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect as tcpConnect, type AddressInfo, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { generateSigningKeys } from '../../src/auth/keys';
import { createTokenSigner } from '../../src/auth/tokens';
import { loadConfig } from '../../src/config';
import { redisKeys } from '../../src/contract/redis-keys';
import { STATUS_MESSAGES } from '../../src/contract/ws-messages';
import { createRedis, createStatusPublisher } from '../../src/redis';

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: process.env.WS_BENCH_CONNECTIONS ?? '10000' },
    'per-user': { type: 'string', default: '5' },
    rate: { type: 'string', default: process.env.WS_BENCH_RATE ?? '500' },
    seconds: { type: 'string', default: process.env.WS_BENCH_SECONDS ?? '20' },
    'per-address': { type: 'string', default: '20000' },
    'connect-concurrency': { type: 'string', default: '256' },
    'max-seconds': { type: 'string', default: '600' },
    settle: { type: 'string', default: '10' },
    layout: { type: 'string', default: 'users' },
  },
});
let N = Number(args.connections);
const PER_USER = Number(args['per-user']);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const PER_ADDRESS = Number(args['per-address']);
const CONCURRENCY = Number(args['connect-concurrency']);
const ISSUER = 'ws-bench';
/** users: every connection watches its own user; fanout: all watch one user (as admins). */
const FANOUT = args.layout === 'fanout';

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (text: string) => console.log(`[bench:ws] ${text}`);

/** The process's open-file limit, from /proc (Node has no getrlimit). */
function openFileLimits(): { soft: number; hard: number } {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft = '1024', hard = '1024'] = line?.split(/\s+/).slice(3, 5) ?? [];
  const value = (v: string) => (v === 'unlimited' ? Infinity : Number(v));
  return { soft: value(soft), hard: value(hard) };
}

/**
 * Each of the two processes (gateway, load client) needs a descriptor per connection. Re-runs
 * this script under a raised `ulimit -n` when N sockets would not fit; where the hard limit
 * cannot be raised (a container without CAP_SYS_RESOURCE), N is lowered to what fits, loudly.
 */
function ensureFileLimit(): boolean {
  const need = N + 1024;
  const { soft, hard } = openFileLimits();
  if (soft >= need || process.env.WS_BENCH_RAISED) return false;
  let target = need;
  if (spawnSync('bash', ['-c', `ulimit -n ${need}`]).status !== 0) {
    target = hard;
    const fits = hard - 1024;
    log(
      `cannot raise the open-file limit above its hard limit ${hard} here (no CAP_SYS_RESOURCE): ` +
        `measuring ${fits} connections instead of ${N}`,
    );
    process.argv.push('--connections', String(fits));
    N = fits;
    if (soft >= hard) return false;
  }
  log(`raising the open-file limit to ${target} (was ${soft})`);
  const child = spawn(
    'bash',
    [
      '-c',
      `ulimit -n ${target} && exec "$0" "$@"`,
      process.execPath,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { stdio: 'inherit', env: { ...process.env, WS_BENCH_RAISED: '1' } },
  );
  child.on('exit', (code) => process.exit(code ?? 1));
  return true;
}

interface ProcSample {
  cpuSeconds: number;
  /** Of which in the kernel (system time): on loopback, TCP delivery to the client too. */
  systemSeconds: number;
  rssBytes: number;
}

function sampleProc(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const rssLine = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS'));
  return {
    cpuSeconds: ticks / 100,
    systemSeconds: Number(fields[12]) / 100,
    rssBytes: Number(rssLine?.split(/\s+/)[1] ?? 0) * 1024,
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

class Latencies {
  private values = new Float64Array(1 << 16);
  count = 0;
  add(ms: number): void {
    if (this.count === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.count++] = ms;
  }
  summary() {
    const sorted = this.values.slice(0, this.count).sort();
    return {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? NaN,
    };
  }
}

async function startJwks() {
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

async function startGateway(jwksUrl: string): Promise<{ child: ChildProcess; port: number }> {
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
        GATEWAY_ID: 'ws-bench',
        GATEWAY_MAX_CONNECTIONS_PER_USER: String(PER_USER),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('gateway listening')) resolve((JSON.parse(line) as { port: number }).port);
      else console.error(`[gateway] ${line}`); // closes with their reason, warnings
    });
  });
  return { child, port };
}

/**
 * A minimal WebSocket client over a raw TCP socket: handshake, unmasked server frames, pong
 * replies. It stamps each chunk as it arrives and reads `seq` and `t` out of the bytes without
 * JSON.parse, so that a single load process can take 10,000 deliveries in a few milliseconds
 * and the latency measured is the gateway's, not the client's queue (the `ws` package spends
 * tens of microseconds per message, enough to dominate a 10,000-socket fan-out).
 */
class RawClient {
  private pending: Buffer | null = null;
  private handshaken = false;
  open = false;

  /** Called once if the connection closes after it was accepted. */
  onClose: (why: string) => void = () => {};
  private closeCode: number | null = null;
  private error: string | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly onUpdate: (seq: number, sentAt: number, receivedAt: number) => void,
  ) {}

  static connect(
    port: number,
    path: string,
    token: string,
    localAddress: string,
    onUpdate: (seq: number, sentAt: number, receivedAt: number) => void,
  ): Promise<RawClient | null> {
    return new Promise((resolve) => {
      const socket = tcpConnect({ host: '127.0.0.1', port, localAddress });
      const client = new RawClient(socket, onUpdate);
      socket.setNoDelay(true);
      socket.once('connect', () => {
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
            `Authorization: Bearer ${token}\r\n\r\n`,
        );
      });
      socket.on('data', (chunk: Buffer) => {
        const receivedAt = now();
        if (!client.handshaken) {
          const data = client.pending ? Buffer.concat([client.pending, chunk]) : chunk;
          const end = data.indexOf('\r\n\r\n');
          if (end < 0) {
            client.pending = data;
            return;
          }
          client.pending = null;
          client.handshaken = true;
          client.open = data.subarray(0, 12).toString('latin1') === 'HTTP/1.1 101';
          resolve(client.open ? client : null);
          if (!client.open) return void socket.destroy();
          chunk = data.subarray(end + 4);
        }
        client.frames(chunk, receivedAt);
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        client.error = err.code ?? err.message;
        resolve(null);
      });
      socket.on('close', () => {
        if (client.open) {
          client.onClose(
            client.closeCode ? `close ${client.closeCode}` : (client.error ?? 'tcp closed'),
          );
        }
        client.open = false;
        resolve(null);
      });
    });
  }

  private frames(chunk: Buffer, receivedAt: number): void {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let at = 0;
    while (data.length - at >= 2) {
      const opcode = data[at]! & 0x0f;
      let length = data[at + 1]! & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        header = 10;
      }
      if (data.length - at < header + length) break;
      const payload = data.subarray(at + header, at + header + length);
      at += header + length;
      if (opcode === 0x9)
        this.socket.write(Buffer.from([0x8a, 0x80, 0, 0, 0, 0])); // pong, zero mask
      else if (opcode === 0x8) {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.socket.end();
      } else if (opcode === 0x1) this.text(payload, receivedAt);
    }
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
  }

  private text(payload: Buffer, receivedAt: number): void {
    const seqAt = payload.indexOf('"seq":');
    if (seqAt < 0) return;
    const tAt = payload.indexOf('"t":', seqAt);
    const seq = Number.parseInt(payload.toString('latin1', seqAt + 6, seqAt + 20), 10);
    const sentAt = Number.parseFloat(payload.toString('latin1', tAt + 4, tAt + 30));
    this.onUpdate(seq, sentAt, receivedAt);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** V8 heap and external memory of the gateway, from its /metrics. */
async function gatewayHeap(port: number): Promise<{ heapUsed: number; external: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    heapUsed: value('nodejs_heap_size_used_bytes'),
    external: value('nodejs_external_memory_bytes'),
  };
}

interface Bench {
  /** Deliveries expected per published seq (the user's open connections). */
  expected: number;
  received: number;
}

async function main(): Promise<void> {
  if (ensureFileLimit()) return;
  const config = loadConfig();
  const deadline = setTimeout(
    () => {
      log(`still running after ${args['max-seconds']} s: giving up`);
      process.exit(2);
    },
    Number(args['max-seconds']) * 1000,
  );
  deadline.unref();

  const jwks = await startJwks();
  const gateway = await startGateway(jwks.url);
  const pid = gateway.child.pid!;
  const stopGateway = async () => {
    if (gateway.child.exitCode !== null) return;
    gateway.child.kill('SIGTERM');
    await once(gateway.child, 'exit');
  };
  process.once('SIGINT', () => {
    gateway.child.kill('SIGKILL');
    process.exit(130);
  });
  await sleep(1000);
  process.kill(pid, 'SIGUSR2');
  await sleep(500);
  const idle = sampleProc(pid);
  const idleHeap = await gatewayHeap(gateway.port);
  log(
    `gateway pid ${pid} on :${gateway.port}, idle RSS ${(idle.rssBytes / 2 ** 20).toFixed(1)} MiB`,
  );

  // Who connects (PER_USER connections each) and whose orders they watch: themselves, or in
  // the fanout layout one customer watched by admins. RS256 signing is the slow part: batches.
  const callers = Array.from({ length: Math.ceil(N / PER_USER) }, () => randomUUID());
  const watchedUser = randomUUID();
  const watched = (caller: string) => (FANOUT ? watchedUser : caller);
  const users = FANOUT ? [watchedUser] : callers;
  const signer = createTokenSigner(
    jwks.keys,
    { issuer: ISSUER, audience: ISSUER, accessTtlSeconds: 3600, refreshTtlSeconds: 3600 },
    () => new Date(),
  );
  const tokens = new Map<string, string>();
  for (let i = 0; i < callers.length; i += 500) {
    const batch = callers.slice(i, i + 500);
    const signed = await Promise.all(
      batch.map((u) => signer.signAccess({ userId: u, role: FANOUT ? 'admin' : 'user' })),
    );
    batch.forEach((u, j) => tokens.set(u, signed[j]!.token));
  }

  // Connections.
  const bench = new Map<number, Bench>();
  let phaseLatency = new Latencies();
  let stray = 0;
  const openPerUser = new Map<string, number>();
  const sockets: RawClient[] = [];
  let failed = 0;
  const dropped = new Map<string, number>();
  const addresses = Math.max(1, Math.ceil(N / PER_ADDRESS));

  const onUpdate = (seq: number, sentAt: number, receivedAt: number) => {
    const entry = bench.get(seq);
    if (!entry) {
      stray++;
      return;
    }
    entry.received++;
    phaseLatency.add(receivedAt - sentAt);
  };

  let next = 0;
  let bound = 0;
  const openOne = async (): Promise<void> => {
    while (next < bound) {
      const i = next++;
      const caller = callers[Math.floor(i / PER_USER)]!;
      const user = watched(caller);
      const client = await RawClient.connect(
        gateway.port,
        `/ws/orders/${user}`,
        tokens.get(caller)!,
        `127.0.0.${1 + (i % addresses)}`,
        onUpdate,
      );
      if (client) {
        sockets.push(client);
        openPerUser.set(user, (openPerUser.get(user) ?? 0) + 1);
        client.onClose = (why) => {
          dropped.set(why, (dropped.get(why) ?? 0) + 1);
          openPerUser.set(user, (openPerUser.get(user) ?? 1) - 1);
        };
      } else {
        failed++;
      }
    }
  };
  /**
   * Snapshots sent, resume waits over, every socket live; then a full GC, so what is measured
   * is what holding the connections costs, not the garbage their upgrades left behind.
   */
  const settled = async () => {
    await sleep(Number(args.settle) * 1000);
    const beforeGc = sampleProc(pid);
    process.kill(pid, 'SIGUSR2');
    await sleep(1000);
    return { beforeGc, after: sampleProc(pid), open: sockets.filter((s) => s.open).length };
  };
  let connectMs = 0;
  const openUpTo = async (count: number) => {
    const started = performance.now();
    bound = count;
    await Promise.all(Array.from({ length: CONCURRENCY }, openOne));
    connectMs += performance.now() - started;
  };
  await openUpTo(N);
  const connectSeconds = connectMs / 1000;
  log(
    `${sockets.length} connections open (${failed} failed) in ${connectSeconds.toFixed(1)} s ` +
      `from ${addresses} source address(es)`,
  );
  const full = await settled();
  const heldBeforeGc = full.beforeGc;
  const held = full.after;
  const heap = await gatewayHeap(gateway.port);
  const heldCount = full.open;
  const rssPerConnection = (held.rssBytes - idle.rssBytes) / heldCount;

  // Publishing.
  const redis = createRedis(config.REDIS_URL);
  const publisher = createStatusPublisher(redis);
  let seq = 0;
  const eventIds: string[] = [];
  const publishTo = (user: string) => {
    const s = seq++;
    bench.set(s, { expected: openPerUser.get(user) ?? 0, received: 0 });
    const eventId = randomUUID();
    eventIds.push(eventId);
    return publisher.publish({
      type: 'order.update',
      event_id: eventId,
      order_id: randomUUID(),
      user_id: user,
      status: 'processing',
      message: STATUS_MESSAGES.processing,
      timestamp: new Date().toISOString(),
      data: { seq: s, t: now() },
    });
  };

  interface PhaseResult {
    name: string;
    published: number;
    deliveries: number;
    lost: number;
    latency: { p50: number; p99: number; max: number };
    gatewayCores: number;
    gatewayKernelCores: number;
    clientCores: number;
    seconds: number;
  }
  const runPhase = async (
    name: string,
    publishAll: () => Promise<void>,
    drainMs: number,
  ): Promise<PhaseResult> => {
    bench.clear();
    phaseLatency = new Latencies();
    const before = sampleProc(pid);
    const clientBefore = process.cpuUsage();
    const started = performance.now();
    await publishAll();
    await sleep(drainMs);
    const seconds = (performance.now() - started) / 1000;
    const after = sampleProc(pid);
    const client = process.cpuUsage(clientBefore);
    let expected = 0;
    let received = 0;
    for (const entry of bench.values()) {
      expected += entry.expected;
      received += entry.received;
    }
    return {
      name,
      published: bench.size,
      deliveries: received,
      lost: expected - received,
      latency: phaseLatency.summary(),
      gatewayCores: (after.cpuSeconds - before.cpuSeconds) / seconds,
      gatewayKernelCores: (after.systemSeconds - before.systemSeconds) / seconds,
      clientCores: (client.user + client.system) / 1e6 / seconds,
      seconds,
    };
  };

  const steady = await runPhase(
    `steady ${RATE}/s for ${SECONDS} s`,
    async () => {
      const started = performance.now();
      const end = started + SECONDS * 1000;
      const pending: Promise<unknown>[] = [];
      while (performance.now() < end) {
        const due = Math.floor(((performance.now() - started) / 1000) * RATE);
        while (pending.length < due) {
          pending.push(publishTo(users[Math.floor(Math.random() * users.length)]!));
        }
        await sleep(5);
      }
      await Promise.all(pending);
    },
    2000,
  );
  // With one watched user the steady phase already sends every change to all N sockets.
  const burst = FANOUT
    ? null
    : await runPhase(
        `burst: 1 change to each of ${users.length} users at once`,
        async () => {
          await Promise.all(users.map((u) => publishTo(u)));
        },
        3000,
      );

  // Report.
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const clientMemory = process.memoryUsage().rss;
  console.log('');
  console.log(
    `machine load             ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (1/5/15 min) on 2 cores: other processes compete for them`,
  );
  console.log(
    `connections held         ${heldCount} of ${N} (${callers.length} ${FANOUT ? 'admins' : 'users'} x ${PER_USER}` +
      `${FANOUT ? ', all watching one user' : ''})`,
  );
  console.log(
    `connect time             ${connectSeconds.toFixed(1)} s (${Math.round(heldCount / connectSeconds)}/s)`,
  );
  console.log(
    `gateway RSS              idle ${mib(idle.rssBytes)}, holding ${mib(held.rssBytes)}` +
      ` (${mib(heldBeforeGc.rssBytes)} before a full GC)`,
  );
  console.log(
    `gateway RSS/connection   ${(rssPerConnection / 1024).toFixed(2)} KiB after a full GC, ` +
      `${((heldBeforeGc.rssBytes - idle.rssBytes) / heldCount / 1024).toFixed(2)} KiB before`,
  );
  console.log(
    `  of which V8 heap       ${((heap.heapUsed - idleHeap.heapUsed) / heldCount / 1024).toFixed(2)} KiB` +
      ` (heap used ${mib(idleHeap.heapUsed)} -> ${mib(heap.heapUsed)})`,
  );
  console.log(`load client RSS          ${mib(clientMemory)}`);
  for (const phase of burst ? [steady, burst] : [steady]) {
    console.log('');
    console.log(`${phase.name}`);
    console.log(
      `  published              ${phase.published} changes -> ${phase.deliveries} deliveries`,
    );
    console.log(
      `  latency publish->recv  p50 ${ms(phase.latency.p50)}  p99 ${ms(phase.latency.p99)}  max ${ms(phase.latency.max)}`,
    );
    console.log(`  messages lost          ${phase.lost}`);
    console.log(
      `  gateway CPU            ${(phase.gatewayCores * 100).toFixed(1)}% of a core ` +
        `(${(phase.gatewayKernelCores * 100).toFixed(1)}% in the kernel) over ${phase.seconds.toFixed(1)} s`,
    );
    console.log(`  load client CPU        ${(phase.clientCores * 100).toFixed(1)}% of a core`);
  }
  if (dropped.size > 0) {
    console.log(
      `\nconnections closed during the run: ${JSON.stringify(Object.fromEntries(dropped))}`,
    );
  }
  if (stray > 0) console.log(`\nunexpected messages      ${stray}`);

  mkdirSync('bench-results', { recursive: true });
  const file = `bench-results/ws-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(
    file,
    JSON.stringify(
      {
        connections: N,
        held: heldCount,
        failed,
        users: users.length,
        idle,
        held_sample: held,
        held_before_gc: heldBeforeGc,
        idle_heap: idleHeap,
        heap,
        rssPerConnection,

        steady,
        burst,
      },
      null,
      2,
    ),
  );
  console.log(`\nfigures saved to ${file}`);

  // Clean up: sockets, the gateway, and what we wrote to Redis.
  for (const client of sockets) {
    client.onClose = () => {};
    client.close();
  }
  await stopGateway();
  const keys = [
    ...users.map((u) => redisKeys.userStatusStream(u)),
    ...callers.map((u) => redisKeys.wsSessions(u)),
    ...eventIds.map((id) => redisKeys.publishedEvent(id)),
  ];
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  redis.disconnect();
  jwks.server.close();
  clearTimeout(deadline);
  const lost = steady.lost + (burst?.lost ?? 0);
  if (lost !== 0) {
    console.error(`LOST ${lost} messages`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error('bench:ws failed', err);
  process.exit(1);
});
