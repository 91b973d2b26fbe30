/**
 * A scratch Temporal dev server for server-side experiments (`npm run bench:ceiling --
 * --private-server ...`): the stack's own binary started the way the launcher starts it
 * (engines/temporal.ts: same search attributes, same SQLite pragmas), on free ports with a
 * throw-away database, plus the experiment's extra flags (a dynamic config value, an
 * in-memory store). Nobody else's workflows are on it, and restarting it disturbs no one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../../src/contract/orders';
import { SQLITE_PRAGMAS } from '../../../src/stack/engines/temporal';
import { installedTemporalCli } from '../../../src/stack/install/temporal-cli';
import { waitUntilReady } from '../../../src/stack/readiness';
import { freePort } from '../lib/free-port';

export interface PrivateTemporal {
  address: string;
  pid: number;
  stop(): Promise<void>;
}

/** `flags`: extra arguments for `temporal server start-dev`; `--in-memory` drops the database file. */
export async function startPrivateTemporal(flags: readonly string[]): Promise<PrivateTemporal> {
  const binary = installedTemporalCli();
  if (!binary) throw new Error('the Temporal CLI is not installed: run `npm run stack:up` once');
  const [port, uiPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-temporal-'));
  const inMemory = flags.includes('--in-memory');
  const child: ChildProcess = spawn(
    binary,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--ui-port',
      String(uiPort),
      '--headless',
      '--namespace',
      'default',
      '--log-level',
      'warn',
      ...(inMemory ? [] : ['--db-filename', path.join(dir, 'temporal.db')]),
      ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([n, t]) => ['--search-attribute', `${n}=${t}`]),
      ...(inMemory ? [] : SQLITE_PRAGMAS.flatMap((p) => ['--sqlite-pragma', p])),
      ...flags.filter((f) => f !== '--in-memory'),
    ],
    { cwd: dir, stdio: 'ignore' },
  );
  const address = `127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(
      async () => {
        const connection = await Connection.connect({ address, connectTimeout: '2s' });
        try {
          await connection.workflowService.describeNamespace({ namespace: 'default' });
          return true;
        } finally {
          await connection.close();
        }
      },
      {
        what: 'private Temporal server',
        timeoutMs: 60_000,
        ...(child.pid ? { pid: child.pid } : {}),
      },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, pid: child.pid ?? 0, stop };
}
