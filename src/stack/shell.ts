/**
 * Running short-lived commands (installers, initdb, the Kafka storage formatter). Output is
 * captured rather than shown, because a successful install has nothing to say; when a command
 * fails, the error carries the last lines of what it printed, which is what one needs to fix it.
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { StackError } from './output';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the command's standard input, then closed. */
  input?: string;
  /** Run as this user (the launcher runs as root; Postgres refuses to). */
  uid?: number;
  gid?: number;
}

export interface RunResult {
  code: number;
  output: string;
}

/** Runs a command to completion; never throws for a non-zero exit. */
export function runCapture(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    uid: options.uid,
    gid: options.gid,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, spawnOptions);
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), output: Buffer.concat(chunks).toString('utf8') }),
    );
    // A command may exit without reading its input; that is its business, not an error.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input);
  });
}

/** Runs a command and throws a StackError with its last output lines when it fails. */
export async function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  const result = await runCapture(command, args, options);
  if (result.code !== 0) {
    throw new StackError(
      `\`${[path.basename(command), ...args].join(' ')}\` failed (exit ${result.code}):\n${lastLines(result.output, 25)}`,
    );
  }
  return result.output;
}

export function lastLines(text: string, count: number): string {
  const lines = text.trimEnd().split('\n');
  return lines
    .slice(-count)
    .map((line) => `    ${line}`)
    .join('\n');
}

/** The absolute path of an executable on PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
