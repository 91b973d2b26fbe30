/**
 * The run's figures: their shape, the printed report (totals first, then one row per replica
 * and per load client) and the JSON copy in bench-results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { LatencySummary } from './latencies';
import type { ProcSample } from './proc';
import type { HeapSample } from './replicas';

export interface ReplicaFigures {
  id: string;
  port: number;
  pid: number;
  /** Connections open on it when memory was measured. */
  held: number;
  idle: ProcSample;
  beforeGc: ProcSample;
  afterGc: ProcSample;
  idleHeap: HeapSample;
  heap: HeapSample;
}

export interface ClientFigures {
  pid: number;
  connections: number;
  failed: number;
  connectSeconds: number;
  /** Share of a core while this client was connecting. */
  connectCores: number;
  /** RSS when the connections were held (after settling). */
  rssBytes: number;
}

export interface PhaseFigures {
  name: string;
  seconds: number;
  published: number;
  deliveries: number;
  lost: number;
  /** Deliveries of an earlier phase's changes, or messages without the bench's seq. */
  stray: number;
  /** Publishes that failed (Redis down), by error; they are not counted as lost. */
  failedPublishes: Record<string, number>;
  /** [second of the phase a change was published in, its deliveries slower than 100 ms]. */
  slowBySecond: [number, number][];
  /** Seconds into the phase at which a replica's heartbeat ticked (pings, session refresh). */
  heartbeatsAt: number[];
  latency: LatencySummary;
  replicas: {
    deliveries: number;
    lost: number;
    latency: LatencySummary;
    cores: number;
    kernelCores: number;
  }[];
  clients: { cores: number; kernelCores: number; rssBytes: number }[];
  /** This process: the Redis client calling the publish script. */
  publisherCores: number;
}

export interface RunFigures {
  asked: number;
  connections: number;
  held: number;
  failures: Record<string, number>;
  callers: number;
  perUser: number;
  fanout: boolean;
  gateways: number;
  clients: number;
  addresses: number;
  hardFileLimit: number;
  notes: string[];
  connect: { seconds: number; gatewayCores: number[]; clientCores: number[] };
  replicas: ReplicaFigures[];
  loadClients: ClientFigures[];
  phases: PhaseFigures[];
  /** One-minute load average, sampled every 5 s from start to end, and the three at the end. */
  load: { min: number; max: number; atEnd: number[] };
  /** Connections closed by the other side during the run, by reason. */
  dropped: Record<string, number>;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const kib = (b: number) => (b / 1024).toFixed(2);
const ms = (v: number) => `${v.toFixed(1)} ms`;
const pct = (cores: number) => `${(cores * 100).toFixed(1)}%`;

/** Columns padded to their widest cell, the first left-aligned and the rest right-aligned. */
function table(rows: string[][], indent = ''): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  for (const row of rows) {
    const cells = row.map((cell, c) =>
      c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!),
    );
    console.log(indent + cells.join('  '));
  }
}

/** Memory of holding the connections: RSS and V8 heap grown since idle, per connection. */
function memory(replicas: ReplicaFigures[]) {
  const held = sum(replicas.map((r) => r.held));
  const grown = (pick: (r: ReplicaFigures) => number) =>
    sum(replicas.map((r) => pick(r))) / Math.max(1, held);
  return {
    held,
    idle: sum(replicas.map((r) => r.idle.rssBytes)),
    beforeGc: sum(replicas.map((r) => r.beforeGc.rssBytes)),
    afterGc: sum(replicas.map((r) => r.afterGc.rssBytes)),
    idleHeap: sum(replicas.map((r) => r.idleHeap.heapUsed)),
    heap: sum(replicas.map((r) => r.heap.heapUsed)),
    perConnectionAfterGc: grown((r) => r.afterGc.rssBytes - r.idle.rssBytes),
    perConnectionBeforeGc: grown((r) => r.beforeGc.rssBytes - r.idle.rssBytes),
    heapPerConnection: grown((r) => r.heap.heapUsed - r.idleHeap.heapUsed),
    idleHeapTotal: sum(replicas.map((r) => r.idleHeap.heapTotal)),
    heapTotal: sum(replicas.map((r) => r.heap.heapTotal)),
    heapTotalPerConnection: grown((r) => r.heap.heapTotal - r.idleHeap.heapTotal),
  };
}

export function printRun(run: RunFigures): void {
  const total = memory(run.replicas);
  const failed = sum(Object.values(run.failures));
  console.log('');
  console.log(
    `machine load             ${run.load.atEnd.map((l) => l.toFixed(1)).join(' ')} (1/5/15 min) ` +
      `at the end, 1-min ${run.load.min.toFixed(1)}-${run.load.max.toFixed(1)} during the run, ` +
      `on 2 cores: other processes compete for them`,
  );
  console.log(
    `processes                ${run.gateways} gateway replica(s), ${run.clients} load client(s) ` +
      `(open-file limit ${run.hardFileLimit} per process); ` +
      (run.addresses > 0
        ? `source addresses 127.0.0.1-${run.addresses}`
        : 'source ports chosen by the kernel per replica'),
  );
  console.log(
    `connections held         ${run.held} of ${run.connections}` +
      `${run.asked !== run.connections ? ` (${run.asked} asked)` : ''} ` +
      `(${run.callers} ${run.fanout ? 'admins' : 'users'} x ${run.perUser}` +
      `${run.fanout ? ', all watching one user' : ''}` +
      `${run.gateways > 1 ? ', dealt round-robin over the replicas' : ''}), ${failed} failed` +
      `${failed > 0 ? ` ${JSON.stringify(run.failures)}` : ''}`,
  );
  console.log(
    `connect time             ${run.connect.seconds.toFixed(1)} s ` +
      `(${Math.round(run.held / run.connect.seconds)}/s); meanwhile gateway CPU ` +
      `${pct(sum(run.connect.gatewayCores))} of a core, load client CPU ` +
      `${pct(sum(run.connect.clientCores))}`,
  );
  console.log(
    `gateway RSS              idle ${mib(total.idle)}, holding ${mib(total.afterGc)} ` +
      `(${mib(total.beforeGc)} before a full GC)` +
      `${run.gateways > 1 ? `, ${run.gateways} replicas together` : ''}`,
  );
  console.log(
    `gateway RSS/connection   ${kib(total.perConnectionAfterGc)} KiB after a full GC, ` +
      `${kib(total.perConnectionBeforeGc)} KiB before`,
  );
  console.log(
    `  of which V8 heap       ${kib(total.heapPerConnection)} KiB used ` +
      `(${mib(total.idleHeap)} -> ${mib(total.heap)}), ` +
      `${kib(total.heapTotalPerConnection)} KiB committed ` +
      `(${mib(total.idleHeapTotal)} -> ${mib(total.heapTotal)}); the rest is native`,
  );
  const clientRss = sum(run.loadClients.map((c) => c.rssBytes));
  console.log(
    `load client RSS          ${mib(clientRss)}` +
      `${run.clients > 1 ? ` together (${mib(clientRss / run.clients)} each on average)` : ''}`,
  );

  console.log('');
  table([
    [
      'replica',
      'port',
      'held',
      'idle RSS',
      'RSS pre-GC',
      'RSS post-GC',
      'KiB/conn post-GC',
      'pre-GC',
      'heap KiB/conn',
      'CPU connecting',
    ],
    ...run.replicas.map((r, g) => {
      const one = memory([r]);
      return [
        r.id,
        String(r.port),
        String(r.held),
        mib(r.idle.rssBytes),
        mib(r.beforeGc.rssBytes),
        mib(r.afterGc.rssBytes),
        kib(one.perConnectionAfterGc),
        kib(one.perConnectionBeforeGc),
        kib(one.heapPerConnection),
        pct(run.connect.gatewayCores[g]!),
      ];
    }),
    [
      'total',
      '',
      String(total.held),
      mib(total.idle),
      mib(total.beforeGc),
      mib(total.afterGc),
      kib(total.perConnectionAfterGc),
      kib(total.perConnectionBeforeGc),
      kib(total.heapPerConnection),
      pct(sum(run.connect.gatewayCores)),
    ],
  ]);
  console.log('');
  table([
    ['load client', 'pid', 'connections', 'failed', 'connect time', 'CPU connecting', 'RSS'],
    ...run.loadClients.map((c, i) => [
      `client ${i + 1}`,
      String(c.pid),
      String(c.connections),
      String(c.failed),
      `${c.connectSeconds.toFixed(1)} s`,
      pct(c.connectCores),
      mib(c.rssBytes),
    ]),
  ]);

  for (const phase of run.phases) printPhase(run, phase);
  if (Object.keys(run.dropped).length > 0) {
    console.log(`\nconnections closed during the run: ${JSON.stringify(run.dropped)}`);
  }
  for (const note of run.notes) console.log(`\nnote: ${note}`);
}

function printPhase(run: RunFigures, phase: PhaseFigures): void {
  const gatewayCores = sum(phase.replicas.map((r) => r.cores));
  const clientCores = phase.clients.map((c) => c.cores);
  console.log('');
  console.log(phase.name);
  console.log(
    `  published              ${phase.published} changes -> ${phase.deliveries} deliveries`,
  );
  console.log(
    `  latency publish->recv  p50 ${ms(phase.latency.p50)}  p99 ${ms(phase.latency.p99)}  ` +
      `max ${ms(phase.latency.max)}`,
  );
  console.log(`  messages lost          ${phase.lost}`);
  if (phase.stray > 0) console.log(`  stray messages         ${phase.stray}`);
  const failedPublishes = sum(Object.values(phase.failedPublishes));
  if (failedPublishes > 0) {
    console.log(
      `  failed publishes       ${failedPublishes} ${JSON.stringify(phase.failedPublishes)} ` +
        `(Redis unavailable; not counted as lost)`,
    );
  }
  console.log(
    `  gateway CPU            ${pct(gatewayCores)} of a core` +
      `${run.gateways > 1 ? ` for ${run.gateways} replicas` : ''} ` +
      `(${pct(sum(phase.replicas.map((r) => r.kernelCores)))} in the kernel) ` +
      `over ${phase.seconds.toFixed(1)} s`,
  );
  console.log(
    `  load client CPU        ${pct(sum(clientCores))} of a core` +
      `${run.clients > 1 ? ` (${clientCores.map(pct).join(', ')})` : ''}`,
  );
  console.log(`  publisher CPU          ${pct(phase.publisherCores)} of a core (this process)`);
  if (phase.slowBySecond.length > 0) {
    const slow = phase.slowBySecond.map(([second, n]) => `${second} s: ${n}`);
    console.log(`  slower than 100 ms     by second of the phase sent in: ${slow.join(', ')}`);
    const ticks = phase.heartbeatsAt.map((s) => `${s.toFixed(1)} s`);
    console.log(
      `  replica heartbeats     ${ticks.length > 0 ? `at ${ticks.join(', ')}` : 'none'} ` +
        `(pings and session refresh of all their sockets)`,
    );
  }
  if (run.gateways === 1) return;
  table(
    [
      ['replica', 'deliveries', 'lost', 'p50', 'p99', 'max', 'CPU', 'kernel'],
      ...phase.replicas.map((r, i) => [
        run.replicas[i]!.id,
        String(r.deliveries),
        String(r.lost),
        ms(r.latency.p50),
        ms(r.latency.p99),
        ms(r.latency.max),
        pct(r.cores),
        pct(r.kernelCores),
      ]),
    ],
    '  ',
  );
}

/** Writes the figures to bench-results/ws-<time>.json and returns the path. */
export function saveRun(run: RunFigures): string {
  mkdirSync('bench-results', { recursive: true });
  const file = `bench-results/ws-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  const summary = memory(run.replicas);
  writeFileSync(file, JSON.stringify({ ...run, memory: summary }, null, 2));
  return file;
}
