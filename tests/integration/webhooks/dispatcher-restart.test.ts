/**
 * A dispatcher killed (SIGKILL) in the middle of a stream of events, then restarted, still
 * delivers every event exactly once to every webhook, each order's events in order: offsets
 * are committed only after scheduling, and what is consumed twice is deduplicated on the
 * (webhook, event) pair. The consumer runs in its own process; the delivery worker runs here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderEvent } from '../../../src/contract/events';
import {
  FAST_WEBHOOK_ENV,
  eventually,
  orderLifecycle,
  startHarness,
  startReceiver,
  type Harness,
  type Receiver,
} from './fixtures';

const CHILD = fileURLToPath(new URL('./dispatcher-child.ts', import.meta.url));

let h: Harness;
let receiver: Receiver;
let userId: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  [h, receiver] = await Promise.all([startHarness({ dispatcher: false }), startReceiver()]);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await h?.close();
  await receiver?.close();
});

async function startChild(env: Record<string, string> = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      ...FAST_WEBHOOK_ENV,
      WEBHOOK_SECRET_KEY: h.config.WEBHOOK_SECRET_KEY,
      WEBHOOK_TASK_QUEUE: h.config.WEBHOOK_TASK_QUEUE,
      WEBHOOK_CONSUMER_GROUP: h.config.WEBHOOK_CONSUMER_GROUP,
      WEBHOOK_TEST_TOPICS: h.topics.join(','),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`dispatcher child exited with ${code}`)));
  });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const scheduled = async () =>
  Number(
    (
      await h.db
        .selectFrom('webhook_deliveries')
        .innerJoin('webhooks', 'webhooks.webhook_id', 'webhook_deliveries.webhook_id')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('webhooks.user_id', '=', userId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('dispatcher restart', () => {
  it('delivers every event exactly once per webhook after a SIGKILL mid-stream', async () => {
    userId = randomUUID();
    const hooks = await Promise.all(
      ['/k1', '/k2'].map((path) =>
        h.service.register(
          { userId, privileged: false },
          { url: receiver.url(path), event_types: ['*'] },
        ),
      ),
    );
    const orders = Array.from({ length: 10 }, () => orderLifecycle(userId));
    const stream: OrderEvent[] = [];
    for (let step = 0; step < 6; step++) stream.push(...orders.map((o) => o[step]!));
    const total = stream.length * hooks.length;

    // The first dispatcher kills itself (SIGKILL) in the middle of a batch, right after
    // scheduling its 25th delivery, while events are still arriving.
    const first = await startChild({ WEBHOOK_TEST_KILL_AFTER_STARTS: '25' });
    const died = new Promise<NodeJS.Signals | null>((resolve) =>
      first.once('exit', (_code, signal) => resolve(signal)),
    );
    const publishing = (async () => {
      for (const event of stream) {
        await h.emit(event);
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    expect(await died).toBe('SIGKILL');
    const atKill = await scheduled();
    expect(atKill).toBeGreaterThanOrEqual(25);
    expect(atKill).toBeLessThan(total);

    await publishing;
    const child = await startChild();
    await eventually(
      async () => {
        const rows = await h.db
          .selectFrom('webhook_deliveries')
          .select('status')
          .where(
            'webhook_id',
            'in',
            hooks.map((x) => x.webhook.webhook_id),
          )
          .execute();
        return rows.length === total && rows.every((r) => r.status === 'delivered');
      },
      'every delivery to be made',
      90_000,
    );
    await new Promise((r) => setTimeout(r, 1000)); // room for a duplicate to show up, if any
    await kill(child);

    for (const path of ['/k1', '/k2']) {
      const ids = receiver.at(path).map((r) => r.headers['webhook-id'] as string);
      expect(ids).toHaveLength(stream.length);
      expect(new Set(ids)).toEqual(new Set(stream.map((e) => e.event_id)));
      for (const order of orders) {
        const got = receiver
          .at(path)
          .map((r) => JSON.parse(r.body) as { data: OrderEvent })
          .filter((b) => b.data.order_id === order[0]!.order_id)
          .map((b) => b.data.event_type);
        expect(got).toEqual(order.map((e) => e.event_type));
      }
    }
  }, 150_000);
});
