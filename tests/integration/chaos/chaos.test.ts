/**
 * The short chaos run (`npm run chaos` in small): a few hundred orders with declines, stock
 * outs and cancels, while the worker is SIGKILLed, Kafka, Redis, the API and the gateway are
 * restarted and Postgres is frozen, one of each. Every order must end, nothing may be charged
 * twice or left unrefunded, stock must balance, and Postgres, Kafka and the WebSocket must
 * agree about every order.
 *
 * Robustness: the apps it kills are private copies (private-apps.ts), so the tests after it
 * find the stack's apps untouched; every wait is bounded but generous (this machine is shared
 * and slow); the engines it restarts are back and answering before it ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../../db/client';
import { FAULT_KINDS } from '../../bench/chaos/faults';
import { printInvariants, runChaos, type ChaosOutcome } from '../../bench/chaos/run';
import { loadShape } from '../../bench/lib/options';
import { parseOptions } from '../../bench/lib/args';
import { startPrivateApps, waitEnginesHealthy, type PrivateStack } from './private-apps';

const MINUTES = 60_000;

let stack: PrivateStack | undefined;
let db: Db | undefined;

beforeAll(async () => {
  stack = await startPrivateApps();
  db = createDb(stack.settings.config);
}, 5 * MINUTES);

afterAll(async () => {
  await stack?.close();
  await db?.destroy();
  // Whatever happened above, the engines must answer for the suites that follow.
  if (stack) await waitEnginesHealthy(stack.settings);
}, 5 * MINUTES);

describe('the system under faults (short chaos run)', () => {
  it(
    'keeps every invariant while each component is killed, restarted or frozen once',
    async () => {
      const s = stack!;
      const external = Object.entries(s.settings.external)
        .filter(([, isExternal]) => isExternal)
        .map(([name]) => name);
      // An engine someone else runs is not ours to restart.
      const kinds = FAULT_KINDS.filter((k) => !external.some((name) => k.startsWith(name)));
      const load = parseOptions(
        'chaos-test',
        loadShape,
        [
          ...['--users', '20', '--products', '10', '--rate', '4', '--concurrency', '300'],
          ...['--declines', '5', '--out-of-stock', '2', '--cancels', '3'],
          // Half the cancels at the 202 (they may beat the workflow's first step), half once
          // paid (a refund to compensate).
          ...['--cancel-when', 'accepted,paid', '--duration', '600', '--warmup', '0'],
          // A stuck order shows after 90 s without progress, not after the whole settle time.
          ...['--drain-quiet', '90'],
        ],
        {},
      );
      // Printed as it happens: a run that hangs still shows how far it got.
      const log = (line: string): void => console.log(line);
      const outcome: ChaosOutcome = await runChaos(
        {
          ctx: {
            config: s.settings.config,
            db: db!,
            apiUrl: s.apiUrl,
            gatewayUrl: s.gatewayUrl,
            retryForMs: 180_000,
            quiet: true,
          },
          config: s.settings.config,
          target: s.control,
          pidDirs: [],
          taskQueue: s.taskQueue,
          ...(s.webhooksUnavailable ? { webhooksUnavailable: s.webhooksUnavailable } : {}),
          log,
        },
        load,
        {
          orders: 200,
          maxDuration: 600,
          firstFaultAfter: 3,
          faultInterval: 2,
          pauseMs: 2000,
          repeatFaults: false,
          kinds,
          settleTimeout: 360,
          webhookTimeout: 60,
          webhookUsers: 5,
        },
      );
      printInvariants(outcome.invariants, log);

      expect(outcome.faults.map((f) => `${f.kind}: ${f.ok ? 'ok' : f.error}`)).toEqual(
        kinds.map((k) => `${k}: ok`),
      );
      expect(outcome.measured.run.tracker.acceptedRecords().length).toBeGreaterThanOrEqual(200);
      expect(outcome.invariants.filter((i) => !i.ok).map((i) => `${i.name}: ${i.detail}`)).toEqual(
        [],
      );
    },
    30 * MINUTES,
  );
});
