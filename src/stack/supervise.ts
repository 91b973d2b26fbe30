/**
 * Process supervision, shared by every engine and app process the launcher runs.
 *
 * Each process is started detached, in a process group and session of its own, with its
 * output appended to `<state>/logs/<name>.log` and its pid written to `<state>/pids/<name>.pid`.
 * Detached, because:
 * - `stack:up` must return while the processes keep running;
 * - under `npm start`, the terminal's Ctrl-C reaches the launcher alone, which then stops
 *   the processes in order (apps before the engines they use) instead of all dying at once;
 * - a whole group can be killed at the end, so no helper process outlives its parent.
 *
 * A pid file is trusted only when the process it names is alive and its command line still
 * carries the component's marker: pids get reused, and a stale file must never make the
 * launcher signal some unrelated program.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { logFile, pidFile, type StatePaths } from './paths';

export interface DaemonSpec {
  /** The component name: names the log file and the pid file. */
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this user; used for Postgres, which refuses to run as root. */
  uid?: number;
  gid?: number;
}

export interface Daemon {
  name: string;
  pid: number;
  child: ChildProcess;
}

/** Starts a long-running process in the background and records its pid. */
export function startDaemon(paths: StatePaths, spec: DaemonSpec): Daemon {
  mkdirSync(paths.logs, { recursive: true });
  mkdirSync(paths.pids, { recursive: true });
  const log = openSync(logFile(paths, spec.name), 'a');
  writeSync(
    log,
    `\n=== ${new Date().toISOString()} starting: ${spec.command} ${spec.args.join(' ')}\n`,
  );
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', log, log],
      uid: spec.uid,
      gid: spec.gid,
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    // The launcher must be free to exit (`stack:up`) while the process runs on.
    child.unref();
    writeFileSync(pidFile(paths, spec.name), `${child.pid}\n`);
    return { name: spec.name, pid: child.pid, child };
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(log);
  }
}

export type PidFileState =
  { kind: 'running'; pid: number } | { kind: 'stale'; pid: number } | { kind: 'none' };

/**
 * Reads a component's pid file and checks it still describes that component: alive, and its
 * command line contains `marker`. A stale file is removed, and reported as such.
 */
export function inspectPidFile(paths: StatePaths, name: string, marker: string): PidFileState {
  const file = pidFile(paths, name);
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  } catch {
    return { kind: 'none' };
  }
  if (
    Number.isInteger(pid) &&
    pid > 0 &&
    isAlive(pid) &&
    (commandLine(pid) ?? '').includes(marker)
  ) {
    return { kind: 'running', pid };
  }
  rmSync(file, { force: true });
  return Number.isInteger(pid) ? { kind: 'stale', pid } : { kind: 'none' };
}

/**
 * Removes a component's pid file if it still names `pid`: another launcher (a second
 * `npm test` in the same checkout, say) may have replaced the process and the file since.
 */
export function removePidFile(paths: StatePaths, name: string, pid: number): void {
  const file = pidFile(paths, name);
  try {
    if (Number.parseInt(readFileSync(file, 'utf8').trim(), 10) !== pid) return;
  } catch {
    return;
  }
  rmSync(file, { force: true });
}

/** Alive means running: a zombie (exited, not yet reaped by its parent) is not. */
export function isAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

export interface StopOptions {
  /** What asks the process to shut down cleanly (Postgres: SIGINT, its "fast" shutdown). */
  signal: NodeJS.Signals;
  /** How long a clean shutdown may take before the whole group is killed. */
  timeoutMs: number;
}

export type StopOutcome = 'stopped' | 'killed' | 'not running';

/**
 * Asks a process to stop, waits, then kills its whole process group if it has not; finally
 * makes sure nothing of the group is left (helpers a process forked and forgot).
 */
export async function stopProcess(pid: number, options: StopOptions): Promise<StopOutcome> {
  if (!isAlive(pid)) {
    killGroup(pid);
    return 'not running';
  }
  signalProcess(pid, options.signal);
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      await drainGroup(pid);
      return 'stopped';
    }
    await sleep(100);
  }
  killGroup(pid);
  signalProcess(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  return 'killed';
}

/** After the leader exits, give the rest of its group a moment to follow, then kill it. */
async function drainGroup(pgid: number): Promise<void> {
  for (let i = 0; i < 20 && groupMembers(pgid).length > 0; i++) await sleep(100);
  killGroup(pgid);
}

function killGroup(pgid: number): void {
  if (groupMembers(pgid).length === 0) return;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // The group emptied between the look and the kill.
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
}

function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: fields[0] ?? '?', ppid: Number(fields[1]), pgrp: Number(fields[2]) };
}

function allProcesses(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat && stat.state !== 'Z') stats.push(stat);
  }
  return stats;
}

/** Live members of a process group. */
export function groupMembers(pgid: number): number[] {
  return allProcesses()
    .filter((p) => p.pgrp === pgid)
    .map((p) => p.pid);
}

/**
 * Memory of a process and all its descendants, in bytes: the sum of their proportional set
 * sizes (PSS), so pages shared between them (Postgres's shared buffers, say) count once
 * rather than once per backend. Falls back to resident size where PSS cannot be read.
 */
export function treeMemory(pid: number): number {
  const processes = allProcesses();
  const tree = new Set<number>([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of processes) {
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const member of tree) total += processMemory(member);
  return total;
}

function processMemory(pid: number): number {
  const fromFile = (file: string, field: string): number | undefined => {
    try {
      const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
      return match?.[1] ? Number(match[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  };
  return (
    fromFile(`/proc/${pid}/smaps_rollup`, 'Pss') ?? fromFile(`/proc/${pid}/status`, 'VmRSS') ?? 0
  );
}
