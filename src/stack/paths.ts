/**
 * Where the local stack keeps things. Two places, for two lifetimes:
 *
 * - the state folder (STATE_DIR, `.stack/` in the repository): this checkout's data. Deleting
 *   it resets the stack to nothing; keeping it keeps every order across restarts.
 * - the cache folder (`~/.cache/order-platform`): downloaded engines, shared by every checkout
 *   on the machine, so a fresh clone or a reset state folder downloads nothing again.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: this file lives in <root>/src/stack. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** This folder, for the files that ship with the launcher (Kafka's pom and log config). */
export const STACK_SOURCE_DIR = path.join(REPO_ROOT, 'src', 'stack');

export const CACHE_DIR = process.env.ORDER_PLATFORM_CACHE_DIR
  ? path.resolve(process.env.ORDER_PLATFORM_CACHE_DIR)
  : path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'order-platform');

export interface StatePaths {
  /** The state folder itself, absolute. */
  root: string;
  /** One `<component>.log` per process: engines and apps alike. */
  logs: string;
  /** One `<component>.pid` per process the launcher started. */
  pids: string;
  postgres: string;
  redis: string;
  kafka: string;
  temporal: string;
}

export function statePaths(stateDir: string): StatePaths {
  const root = path.resolve(REPO_ROOT, stateDir);
  return {
    root,
    logs: path.join(root, 'logs'),
    pids: path.join(root, 'pids'),
    postgres: path.join(root, 'postgres'),
    redis: path.join(root, 'redis'),
    kafka: path.join(root, 'kafka'),
    temporal: path.join(root, 'temporal'),
  };
}

export function logFile(paths: StatePaths, component: string): string {
  return path.join(paths.logs, `${component}.log`);
}

export function pidFile(paths: StatePaths, component: string): string {
  return path.join(paths.pids, `${component}.pid`);
}
