/**
 * A load-client process: opens its slice of the run's connections (placement.ts says to which
 * replica and from which address), answers pings, and times every delivery against the
 * publisher's stamp. Started by clients.ts with an IPC channel; messages.ts lists the
 * exchange. Exits when told to or when the parent goes away.
 */
import { now } from './clock';
import { Latencies } from './latencies';
import type { ClientPlan, FromClient, ToClient } from './messages';
import { addressOf, callerOf, gatewayOf } from './placement';
import { RawClient } from './raw-client';

const PROGRESS_MS = 5000;
/** Deliveries slower than this are also counted by the second they were sent in. */
const SLOW_MS = 100;

function tell(message: FromClient): void {
  process.send?.(message);
}

const sockets: RawClient[] = [];
let socketReplica: number[] = [];
let replicas = 0;
let fromSeq = 0;
let received: number[] = [];
let latencies: Latencies[] = [];
let stray = 0;
let phaseCpu = process.cpuUsage();
let phaseStart = now();
/** The parent's start of the phase (same clock), and slow deliveries by second since then. */
let origin = phaseStart;
let slow: Record<number, number> = {};

function startPhase(seq: number, phaseOrigin: number): void {
  fromSeq = seq;
  origin = phaseOrigin;
  slow = {};
  received = Array.from({ length: replicas }, () => 0);
  latencies = Array.from({ length: replicas }, () => new Latencies());
  stray = 0;
  phaseCpu = process.cpuUsage();
  phaseStart = now();
}

async function connectAll(plan: ClientPlan): Promise<void> {
  const { shape, first, end } = plan;
  replicas = shape.gateways;
  startPhase(Number.MAX_SAFE_INTEGER, now()); // nothing is counted before the first phase
  const open = new Uint8Array(end - first);
  const failures: Record<string, number> = {};
  let failed = 0;
  const started = now();
  const cpu = process.cpuUsage();
  const progress = setInterval(
    () => tell({ type: 'progress', open: sockets.length, failed }),
    PROGRESS_MS,
  );
  let next = first;
  const openSome = async (): Promise<void> => {
    while (next < end) {
      const i = next++;
      const caller = callerOf(shape, i) - plan.firstCaller;
      const replica = gatewayOf(shape, i);
      const onUpdate = (seq: number, sentAt: number, receivedAt: number) => {
        if (seq < fromSeq) {
          stray++;
          return;
        }
        received[replica]!++;
        latencies[replica]!.add(receivedAt - sentAt);
        if (receivedAt - sentAt > SLOW_MS) {
          const second = Math.floor((sentAt - origin) / 1000);
          slow[second] = (slow[second] ?? 0) + 1;
        }
      };
      const client = await RawClient.connect(
        {
          port: plan.ports[replica]!,
          path: plan.paths[caller]!,
          token: plan.tokens[caller]!,
          localAddress: addressOf(shape, i),
        },
        onUpdate,
      );
      if (typeof client === 'string') {
        failed++;
        failures[client] = (failures[client] ?? 0) + 1;
        continue;
      }
      open[i - first] = 1;
      sockets.push(client);
      socketReplica.push(replica);
      client.onClose = (why) => tell({ type: 'dropped', connection: i, why });
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, openSome));
  clearInterval(progress);
  const used = process.cpuUsage(cpu);
  tell({
    type: 'connected',
    open,
    failures,
    seconds: (now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
  });
}

function report(): void {
  const cpu = process.cpuUsage(phaseCpu);
  tell({
    type: 'report',
    report: {
      received,
      latencies: latencies.map((l) => l.samples()),
      stray,
      slow,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      systemSeconds: cpu.system / 1e6,
      seconds: (now() - phaseStart) / 1000,
      rssBytes: process.memoryUsage().rss,
    },
  });
}

function count(): void {
  const openByReplica = Array.from({ length: replicas }, () => 0);
  sockets.forEach((s, k) => {
    if (s.open) openByReplica[socketReplica[k]!]!++;
  });
  tell({
    type: 'count',
    received: received.reduce((a, b) => a + b, 0),
    openByReplica,
    rssBytes: process.memoryUsage().rss,
  });
}

process.on('message', (message: ToClient) => {
  switch (message.type) {
    case 'plan':
      void connectAll(message.plan);
      break;
    case 'phase':
      startPhase(message.fromSeq, message.origin);
      tell({ type: 'phase-started' });
      break;
    case 'count':
      count();
      break;
    case 'report':
      report();
      break;
    case 'close':
      for (const socket of sockets) socket.close();
      sockets.length = 0;
      socketReplica = [];
      process.disconnect();
      break;
  }
});
process.on('disconnect', () => process.exit(0));
tell({ type: 'ready', clock: now() });
