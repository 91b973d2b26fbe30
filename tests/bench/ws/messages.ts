/**
 * What the parent and a load-client process (client-worker.ts) say to each other over the IPC
 * channel (advanced serialization, so latency samples travel as typed arrays). Every request
 * of the parent gets one reply of the type noted; `progress` and `dropped` come unasked.
 */
import type { Shape } from './placement';

export interface ClientPlan {
  shape: Shape;
  /** This client's connections: [first, end) of the run's N. */
  first: number;
  end: number;
  /** Port of each replica, by index. */
  ports: number[];
  /** Callers from `firstCaller` on: their access token and the path they open. */
  firstCaller: number;
  tokens: string[];
  paths: string[];
  concurrency: number;
}

/** A load client's figures for one phase. */
export interface ClientPhaseReport {
  /** Deliveries of this phase's changes, by replica. */
  received: number[];
  /** Latency samples, by replica. */
  latencies: Float64Array[];
  /** Messages of an earlier phase, or without the bench's seq. */
  stray: number;
  /** Deliveries slower than 100 ms, by the second of the phase they were published in. */
  slow: Record<number, number>;
  cpuSeconds: number;
  systemSeconds: number;
  /** Wall time since the phase began, as seen by the client. */
  seconds: number;
  rssBytes: number;
}

export type ToClient =
  | { type: 'plan'; plan: ClientPlan } // -> connected
  // -> phase-started: count seqs >= fromSeq from now on; origin: the phase's start (clock.ts)
  | { type: 'phase'; fromSeq: number; origin: number }
  | { type: 'count' } // -> count
  | { type: 'report' } // -> report
  | { type: 'close' }; // closes every socket and exits

export type FromClient =
  | { type: 'ready'; clock: number }
  | { type: 'progress'; open: number; failed: number }
  | {
      type: 'connected';
      /** 1 for each connection of the slice that is open. */
      open: Uint8Array;
      /** Why the others are not, with counts. */
      failures: Record<string, number>;
      seconds: number;
      cpuSeconds: number;
    }
  | { type: 'dropped'; connection: number; why: string }
  | { type: 'phase-started' }
  | { type: 'count'; received: number; openByReplica: number[]; rssBytes: number }
  | { type: 'report'; report: ClientPhaseReport };

export type Reply<T extends FromClient['type']> = Extract<FromClient, { type: T }>;
