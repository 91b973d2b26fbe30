/**
 * The measured phases: changes published from this process through createStatusPublisher
 * (exactly as the worker publishes them), each stamped with a seq and the clock, and what each
 * should reach (OpenCounts); then every load client's deliveries, latencies and CPU, and every
 * replica's CPU, for the phase.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { STATUS_MESSAGES } from '../../../src/contract/ws-messages';
import { createStatusPublisher } from '../../../src/redis';
import type { LoadClient } from './clients';
import { now } from './clock';
import { summarize } from './latencies';
import type { OpenCounts } from './open-counts';
import { coresBetween, sampleProc } from './proc';
import { heartbeatsBetween, type Replica } from './replicas';
import type { PhaseFigures } from './report';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export interface PhaseDeps {
  redis: Redis;
  /** Watched users, by the index OpenCounts knows them by. */
  users: string[];
  open: OpenCounts;
  replicas: Replica[];
  clients: LoadClient[];
}

export function createPhases({ redis, users, open, replicas, clients }: PhaseDeps) {
  const publisher = createStatusPublisher(redis);
  const zeros = () => replicas.map(() => 0);
  let seq = 0;
  /** Every event published, for the cleanup of their dedup keys. */
  const eventIds: string[] = [];
  /** This phase's expected deliveries, by replica. */
  let expected: number[] = [];
  /** Publishes that Redis refused or never answered (it restarts under chaos runs). */
  let failedPublishes: Record<string, number> = {};

  /** Publishes one change to users[user]; a failed publish is not expected anywhere. */
  const publishTo = async (user: number): Promise<void> => {
    const s = seq++;
    const share = zeros();
    open.addExpected(user, share);
    const phaseExpected = expected; // this phase's, even if the answer comes after it
    const phaseFailures = failedPublishes;
    share.forEach((n, g) => (phaseExpected[g]! += n));
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
    const origin = now();
    await Promise.all(
      clients.map((c) => c.ask({ type: 'phase', fromSeq: firstSeq, origin }, 'phase-started')),
    );
    expected = zeros();
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
    const slow: Record<number, number> = {};
    for (const report of reports) {
      for (const [second, n] of Object.entries(report.slow)) {
        slow[Number(second)] = (slow[Number(second)] ?? 0) + n;
      }
    }
    const byReplica = replicas.map((_, g) => {
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
      slowBySecond: Object.entries(slow).map(([s, n]) => [Number(s), n]),
      heartbeatsAt: heartbeatsBetween(replicas, origin, now()).map((ms) => ms / 1000),
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

  return {
    eventIds,
    /** `rate` changes per second to random users for `seconds`. */
    steady: (rate: number, seconds: number) =>
      runPhase(
        `steady ${rate}/s for ${seconds} s`,
        async () => {
          const started = performance.now();
          const end = started + seconds * 1000;
          const pending: Promise<void>[] = [];
          while (performance.now() < end) {
            const due = Math.floor(((performance.now() - started) / 1000) * rate);
            while (pending.length < due) {
              pending.push(publishTo(Math.floor(Math.random() * users.length)));
            }
            await sleep(5);
          }
          await Promise.all(pending);
        },
        { least: 2000, most: 10_000 },
      ),
    /** One change to every user at the same instant. */
    burst: () =>
      runPhase(
        `burst: 1 change to each of ${users.length} users at once`,
        async () => {
          await Promise.all(users.map((_, u) => publishTo(u)));
        },
        { least: 3000, most: 30_000 },
      ),
  };
}
