/**
 * Measures what the SQLite pragmas do for the file-backed Temporal dev server, the numbers
 * behind SQLITE_PRAGMAS in engines/temporal.ts (results in docs/stack.md):
 *
 *   npx tsx src/stack/measure/temporal-sqlite-pragmas.ts [workflows=200]
 *
 * For each variant, a throw-away dev server on a spare port and a fresh database file; then
 * `workflows` workflow starts, each followed by three signals, ten at a time. No worker is
 * needed: every start and every signal is a persisted history write, which is exactly the
 * cost the pragmas change. Reports operations per second and the p50/p99 latency.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection, WorkflowClient } from '@temporalio/client';
import { ensureTemporalCli } from '../install/temporal-cli';
import { waitUntilReady } from '../readiness';

const PORT = 17233;
const CONCURRENCY = 10;
const SIGNALS_PER_WORKFLOW = 3;

const VARIANTS: readonly { name: string; pragmas: readonly string[] }[] = [
  { name: 'SQLite defaults', pragmas: [] },
  { name: 'journal_mode=wal', pragmas: ['journal_mode=wal'] },
  {
    name: 'journal_mode=wal, synchronous=normal',
    pragmas: ['journal_mode=wal', 'synchronous=normal'],
  },
];

async function main(): Promise<void> {
  const workflows = Number(process.argv[2] ?? 200);
  const binary = await ensureTemporalCli();
  for (const variant of VARIANTS) {
    const result = await measure(binary, variant.pragmas, workflows);
    console.log(
      `${variant.name.padEnd(40)} ${result.opsPerSecond.toFixed(0).padStart(5)} ops/s   ` +
        `p50 ${result.p50.toFixed(1)} ms   p99 ${result.p99.toFixed(1)} ms`,
    );
  }
}

interface Result {
  opsPerSecond: number;
  p50: number;
  p99: number;
}

async function measure(
  binary: string,
  pragmas: readonly string[],
  workflows: number,
): Promise<Result> {
  const dir = mkdtempSync(path.join(tmpdir(), 'temporal-pragmas-'));
  const server = spawn(
    binary,
    [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(PORT),
      '--db-filename',
      path.join(dir, 'temporal.db'),
      '--log-level',
      'error',
      ...pragmas.flatMap((p) => ['--sqlite-pragma', p]),
    ],
    { stdio: 'ignore' },
  );
  try {
    const address = `127.0.0.1:${PORT}`;
    await waitUntilReady(
      async () => {
        const c = await Connection.connect({ address, connectTimeout: '1s' });
        await c.close();
        return true;
      },
      { what: 'temporal', timeoutMs: 30_000, pid: server.pid },
    );
    const connection = await Connection.connect({ address });
    const client = new WorkflowClient({ connection });
    const latencies: number[] = [];
    const timed = async (op: () => Promise<unknown>): Promise<void> => {
      const t = performance.now();
      await op();
      latencies.push(performance.now() - t);
    };
    let next = 0;
    const startedAt = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < workflows) {
          const id = `bench-${next++}`;
          // The workflow type needs no implementation: nothing polls the task queue.
          await timed(() => client.start('benchWorkflow', { taskQueue: 'bench', workflowId: id }));
          const handle = client.getHandle(id);
          for (let s = 0; s < SIGNALS_PER_WORKFLOW; s++)
            await timed(() => handle.signal('poke', s));
        }
      }),
    );
    const seconds = (performance.now() - startedAt) / 1000;
    await connection.close();
    latencies.sort((a, b) => a - b);
    const at = (q: number): number =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
    return { opsPerSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
