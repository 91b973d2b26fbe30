/**
 * How a connection catches up before it goes live, without a gap and without a duplicate:
 *
 * 1. From the moment it opens, the live changes of its user are held in its buffer.
 * 2. The stream's current end is read, then the snapshot from Postgres. The worker commits
 *    a status to Postgres before it publishes it, so the snapshot already reflects every
 *    change up to that end. The snapshot goes out with that position as `last_event_id`.
 * 3. With a `last_event_id` (in the URL, or a `resume` first message within the resume wait),
 *    every change after it is read from the stream (XRANGE, exclusive) and sent in order.
 * 4. The held changes follow, skipping any the replay already sent (each connection keeps a
 *    cursor, the id of the last change it got), and the connection subscribes to its topic.
 *
 * Any change published after step 1 reaches the buffer; any published before the XRANGE is in
 * its reply: so every change arrives once, in stream order. The same replay (steps 3 and 4,
 * from the cursor) runs again when the live feed may have missed something.
 */
import type { Logger } from '../src/logger';
import { CLOSE } from './close-codes';
import type { Connection } from './connection';
import type { Hub } from './hub';
import { errorMessage, snapshotMessage, type SnapshotOrder } from './protocol';
import type { SnapshotReader } from './snapshot';
import type { StatusStream } from './stream';

export interface SyncDeps {
  hub: Hub;
  stream: StatusStream;
  snapshot: SnapshotReader;
  resumeWaitMs: number;
  logger: Logger;
}

const isOpen = (conn: Connection) => conn.ws !== null;

/** Resolves with the `last_event_id` of a `resume` first message, or null after the wait. */
function waitForResume(conn: Connection, waitMs: number): Promise<string | null> {
  if (!conn.resumeWindowOpen || waitMs === 0) {
    conn.resumeWindowOpen = false;
    return Promise.resolve(conn.resumeFrom);
  }
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      conn.wake = null;
      conn.resumeWindowOpen = false;
      resolve(conn.resumeFrom);
    };
    const timer = setTimeout(done, waitMs);
    conn.wake = done;
  });
}

/** Steps 3 and 4: replays after `from` (or after the cursor) and goes live. */
async function catchUp(conn: Connection, deps: SyncDeps, from: string | null): Promise<void> {
  for (;;) {
    const epoch = conn.syncEpoch;
    const after = from ?? conn.cursor;
    const [entries, gap] = await Promise.all([
      deps.stream.after(conn.userId, after),
      from === null ? Promise.resolve(false) : deps.stream.mayHaveGap(conn.userId, from),
    ]);
    if (!isOpen(conn)) return;
    if (gap) {
      deps.hub.sendText(
        conn,
        errorMessage(
          'resume_gap',
          'some changes after last_event_id are no longer kept; the snapshot is current',
        ),
        'control',
      );
    }
    if (from !== null) conn.cursor = from;
    from = null;
    if (!deps.hub.sendUpdates(conn, entries, 'replay')) return;
    // A resubscription during the read may have lost live changes: read again from the cursor.
    if (epoch === conn.syncEpoch) break;
  }
  deps.hub.goLive(conn);
}

/** Runs once per new connection: snapshot, optional replay, live. */
export async function startConnection(conn: Connection, deps: SyncDeps): Promise<void> {
  try {
    const tail = await deps.stream.tail(conn.userId);
    if (!isOpen(conn)) return;
    let orders: SnapshotOrder[] | null = null;
    try {
      orders = await deps.snapshot(conn.userId);
    } catch (err) {
      deps.logger.error({ err, connectionId: conn.id }, 'snapshot query failed');
    }
    if (!isOpen(conn)) return;
    const first = orders
      ? snapshotMessage(orders, tail)
      : errorMessage('snapshot_unavailable', 'your orders could not be read; live updates follow');
    if (!deps.hub.sendText(conn, first, orders ? 'snapshot' : 'control')) return;
    conn.cursor = tail;
    const resumeFrom = await waitForResume(conn, deps.resumeWaitMs);
    if (!isOpen(conn)) return;
    await catchUp(conn, deps, resumeFrom);
  } catch (err) {
    failed(conn, deps, err);
  }
}

/** Runs for a live connection when the live feed may have lost changes. */
export async function resync(conn: Connection, deps: SyncDeps): Promise<void> {
  conn.syncEpoch++;
  if (conn.phase !== 'live') return; // still syncing: its catch-up loop reads again
  deps.hub.backToSyncing(conn);
  try {
    await catchUp(conn, deps, null);
  } catch (err) {
    failed(conn, deps, err);
  }
}

function failed(conn: Connection, deps: SyncDeps, err: unknown): void {
  deps.logger.error({ err, connectionId: conn.id }, 'catching up failed');
  deps.hub.close(conn, CLOSE.INTERNAL_ERROR);
}
