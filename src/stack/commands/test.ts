/**
 * `npm test` (and so `.ci/run`): everything a change must pass, from a fresh machine or a
 * busy development one alike.
 *
 * 1. Static checks, fail fast: the type checker, the linter, the formatter.
 * 2. The engines: reused when running (a developer's `stack:up`), started when not (CI).
 * 3. Migrations, topics, search attributes and demo data, as for `npm start`.
 * 4. Fresh app processes, with settings that make tests quick (a short simulated delivery,
 *    quiet logs). Apps left running by `npm start` or `stack:up` are stopped first, because
 *    they may run older code and would share the task queue and the ports with the new ones.
 * 5. vitest, with the addresses of the stack in its environment, its output untouched.
 * 6. Whatever this command started is stopped again; the exit code is vitest's.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureTemporalCli } from '../install/temporal-cli';
import { bold, dim, green, red, say, seconds, StackError, warn } from '../output';
import { REPO_ROOT } from '../paths';
import { loadStackSettings, type StackSettings } from '../settings';
import { interruptible, onFirstSignal } from '../signals';
import { commandLine, isAlive } from '../supervise';
import { bootstrap } from '../bootstrap';
import { engines, installEngines, Launch, startApps, startEngines, stopStarted } from '../stack';

/**
 * The environment the app processes get for a test run, on top of the caller's. Suites that
 * need other settings for the apps add them here, so every test run uses the same.
 */
export const TEST_APP_ENV: Readonly<Record<string, string>> = {
  LOG_LEVEL: 'warn',
  SIM_DELIVERY_DELAY_MS: '200',
  // Fixtures insert pending orders with no workflow on purpose; the stack's worker must not
  // fail them (and set off their webhooks) mid-run. The sweep has its own test.
  STRANDED_ORDER_SWEEP_INTERVAL_SECONDS: '0',
};

const STATIC_CHECKS: readonly { name: string; bin: string; args: string[] }[] = [
  { name: 'typecheck', bin: 'tsc', args: ['--noEmit'] },
  { name: 'lint', bin: 'eslint', args: ['.'] },
  { name: 'format', bin: 'prettier', args: ['--check', '.'] },
];

export async function testCommand(args: readonly string[]): Promise<number> {
  const startedAt = Date.now();
  // `npm test -- --no-checks [vitest args]`: for re-running tests while the code is mid-edit.
  const skipChecks = args.includes('--no-checks');
  const vitestArgs = args.filter((arg) => arg !== '--no-checks');
  if (!skipChecks) {
    const code = await staticChecks();
    if (code !== 0) return code;
  }

  const settings = loadStackSettings();
  const release = claimTestRun(settings.paths.root);
  try {
    return await testAgainstStack(settings, vitestArgs, startedAt);
  } finally {
    release();
  }
}

async function testAgainstStack(
  settings: StackSettings,
  vitestArgs: readonly string[],
  startedAt: number,
): Promise<number> {
  const launch = new Launch(settings);
  let temporalCli = '';
  say(bold('▸ stack'));
  const outcome = await interruptible(launch, async () => {
    const list = engines(settings);
    // Workflow tests run their own time-skipping server from the same binary.
    [temporalCli] = await Promise.all([ensureTemporalCli(), installEngines(list)]);
    await startEngines(launch, list);
    await bootstrap(settings, { seed: true });
    await startApps(launch, { env: { ...process.env, ...TEST_APP_ENV }, replace: true });
  });
  if (outcome === 'interrupted') return 130;

  say(bold(`▸ vitest (stack ready in ${seconds(Date.now() - startedAt)})`));
  const resultsFile = path.join(settings.paths.root, 'test-results.json');
  const stopOnSignal = onFirstSignal(async () => {
    say('\ninterrupted: stopping what was started…');
    await stopStarted(launch);
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    API_URL: `http://127.0.0.1:${settings.config.API_PORT}`,
    GATEWAY_URL: `ws://127.0.0.1:${settings.config.GATEWAY_PORT}`,
    TEMPORAL_CLI_PATH: temporalCli,
  };
  const code = await runInherit(
    bin('vitest'),
    [
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${resultsFile}`,
      ...vitestArgs,
    ],
    env,
  );
  if (stopOnSignal.fired) {
    await stopOnSignal.done;
    return 130;
  }
  stopOnSignal.dispose();

  printPlainSummary(resultsFile);
  if (launch.started.length > 0) {
    say(bold('▸ stopping what the test run started'));
    await stopStarted(launch);
  }
  if (launch.reused.length > 0) say(dim(`left running, as found: ${launch.reused.join(', ')}`));
  say(
    code === 0
      ? green(`tests passed in ${seconds(Date.now() - startedAt)}`)
      : red(`tests failed (exit ${code})`),
  );
  return code;
}

/**
 * One test run per checkout at a time: a second would stop the first one's app processes to
 * start its own, and both would fail for no reason of their own. A lock file holds the pid
 * of the run in progress; one left by a run that died is taken over.
 */
function claimTestRun(stateDir: string): () => void {
  mkdirSync(stateDir, { recursive: true });
  const lock = path.join(stateDir, 'test.lock');
  try {
    writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
  } catch {
    const holder = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    if (
      holder !== process.pid &&
      isAlive(holder) &&
      (commandLine(holder) ?? '').includes('cli.ts test')
    ) {
      throw new StackError(
        `another \`npm test\` (pid ${holder}) is running in this checkout: wait for it, or stop it`,
      );
    }
    writeFileSync(lock, `${process.pid}\n`);
  }
  return () => rmSync(lock, { force: true });
}

/** Type check, lint, format check, in that order; stops at the first failure. */
async function staticChecks(): Promise<number> {
  for (const check of STATIC_CHECKS) {
    const checkStartedAt = Date.now();
    say(bold(`▸ ${check.name}: ${check.bin} ${check.args.join(' ')}`));
    const code = await runInherit(bin(check.bin), check.args, process.env);
    if (code !== 0) {
      say(red(`${check.name} failed (exit ${code}): fix it before the tests run`));
      return code;
    }
    say(dim(`  ${check.name} passed in ${seconds(Date.now() - checkStartedAt)}`));
  }
  return 0;
}

/**
 * One plain "N passed, N failed" line after vitest's own summary, counted from its JSON
 * report: the form CI tooling reads, in a runner-neutral shape.
 */
function printPlainSummary(resultsFile: string): void {
  if (!existsSync(resultsFile)) return;
  try {
    const report = JSON.parse(readFileSync(resultsFile, 'utf8')) as {
      numPassedTests?: number;
      numFailedTests?: number;
      numPendingTests?: number;
      numTodoTests?: number;
    };
    const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    say(
      `tests: ${report.numPassedTests ?? 0} passed, ${report.numFailedTests ?? 0} failed, ${skipped} skipped`,
    );
  } catch {
    warn(`could not read ${resultsFile}`);
  }
}

function bin(name: string): string {
  return path.join(REPO_ROOT, 'node_modules', '.bin', name);
}

function runInherit(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
