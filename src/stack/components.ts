/**
 * What the launcher knows about each thing it runs. Every command works from these
 * descriptions: `start` brings them up in order, `down` stops them in reverse, `status`
 * probes them, `logs` tails them. An engine file (engines/*.ts) or the app list (apps.ts)
 * fills one in; nothing else needs to know how Postgres or the API is started.
 */
import type { Probe } from './readiness';
import type { EngineName } from './settings';
import type { DaemonSpec, StopOptions } from './supervise';

export interface Component {
  /** Names the log file, the pid file and the row in `status`. */
  name: string;
  /** A piece of the process's command line that proves a pid is really this component's. */
  marker: string;
  /** How to stop it cleanly, and how long to wait before killing it. */
  stop: StopOptions;
  /** The TCP ports it listens on; they must be free before it starts. */
  ports: readonly number[];
  /** One quick health check. */
  probe: Probe;
  /** How long start-up may take before it counts as failed. */
  readyTimeoutMs: number;
}

export interface Engine extends Component {
  name: EngineName;
  /** Pointed elsewhere by the environment: only probed, never started or stopped. */
  external: boolean;
  /** Where clients reach it, for messages: `127.0.0.1:5432`. */
  address: string;
  /** Fetches its binaries when missing (idempotent; cached across checkouts). */
  install(): Promise<void>;
  /** Prepares its state folder on first use (initdb, storage format, config files). */
  prepare(): Promise<void>;
  /** The command that runs it in the foreground. */
  daemon(): DaemonSpec;
}

export interface App extends Component {
  /** The entry file, relative to the repository root (`src/cli/api.ts`). */
  entry: string;
  /** The HTTP health URL, for apps that serve one. */
  healthUrl?: string;
}
