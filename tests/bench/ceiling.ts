/**
 * `npm run bench:ceiling`: Temporal's own ceiling on this machine for a workflow of the
 * saga's shape with no-op activities (ceiling/workflow.ts), run with the same stack, server,
 * worker settings and pacing options as `npm run bench`, and a bare client's
 * StartWorkflowExecution latency measured in the same run. `npm run bench -- --with-ceiling`
 * runs it before the load, so the two compare within one run.
 *
 * With --private-server it runs instead against a scratch dev server of its own
 * (tuning/private-temporal.ts) started with extra --server-flag arguments: server-side
 * experiments (partitions, an in-memory store) that would disturb the shared stack.
 *
 *   npm run bench:ceiling -- --private-server --server-flag=--in-memory
 *   npm run bench:ceiling -- --private-server \
 *     --server-flag=--dynamic-config-value --server-flag=matching.numTaskqueueReadPartitions=1
 */
import os from 'node:os';
import { z } from 'zod';
import { loadConfig, type Config } from '../../src/config';
import { runCeiling } from './ceiling/run';
import { startPrivateTemporal } from './tuning/private-temporal';
import { parseOptions, UsageError } from './lib/args';
import { envPairs, loadShape, pacingShape } from './lib/options';
import { printCeiling, printProcesses } from './lib/report';
import { BENCH_APP_ENV, bringUp } from './lib/stack';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../src/stack/paths';

const shape = {
  ...pacingShape,
  appEnv: loadShape.appEnv,
  label: loadShape.label,
  out: loadShape.out,
  isolated: loadShape.isolated,
  keepEngines: loadShape.keepEngines,
  privateServer: z
    .boolean()
    .default(false)
    .describe('run against a scratch Temporal dev server instead of the stack'),
  variant: z
    .enum(['saga', 'local-notify', 'no-upserts'])
    .default('saga')
    .describe(
      "workflow: the saga's shape, or an experiment (notify as local activities, no status upserts)",
    ),
  serverFlag: z
    .array(z.string())
    .default([])
    .describe('extra argument for the scratch server (repeatable; --in-memory: no database file)'),
};

async function main(): Promise<number> {
  const options = parseOptions('bench:ceiling', shape, process.argv.slice(2));
  const appEnv = envPairs(options.appEnv);
  const startedAt = new Date().toISOString();
  let close: () => Promise<void>;
  let childEnv: NodeJS.ProcessEnv = { ...process.env, ...BENCH_APP_ENV, ...appEnv };
  let config: Config;
  let pidDirs: { dir: string }[];
  let extraPids: [string, number][] = [];
  if (options.privateServer) {
    const server = await startPrivateTemporal(options.serverFlag);
    console.log(
      `▸ scratch Temporal server on ${server.address}: ${options.serverFlag.join(' ') || 'no extra flags'}`,
    );
    appEnv.TEMPORAL_ADDRESS = server.address;
    config = loadConfig({ ...process.env, ...appEnv });
    pidDirs = [];
    extraPids = [['temporal (scratch)', server.pid]];
    close = server.stop;
  } else {
    // The stack's apps idle during the ceiling, as they would if the bench ran it.
    const stack = await bringUp({
      appEnv,
      isolated: options.isolated,
      keepEngines: options.keepEngines,
    });
    config = stack.settings.config;
    pidDirs = [{ dir: stack.settings.paths.pids }];
    childEnv = stack.appEnv;
    close = stack.close;
  }
  try {
    const ceiling = await runCeiling(
      {
        config,
        env: childEnv,
        pidDirs,
        extraPids,
        variant: options.variant,
      },
      options,
    );
    printCeiling(ceiling);
    printProcesses(ceiling.processes);
    const dir = path.resolve(REPO_ROOT, options.out);
    mkdirSync(dir, { recursive: true });
    const file = path.join(
      dir,
      `ceiling-${startedAt.replace(/[:.]/g, '-')}${options.label ? `-${options.label}` : ''}.json`,
    );
    const machine = { cpus: os.cpus().length, loadAverage: os.loadavg() };
    writeFileSync(
      file,
      `${JSON.stringify({ kind: 'ceiling', startedAt, machine, options, appEnv, ceiling }, null, 2)}\n`,
    );
    console.log(`\nresults: ${file}`);
    return 0;
  } finally {
    await close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) console.error(err.message);
    else console.error('bench:ceiling failed:', err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
