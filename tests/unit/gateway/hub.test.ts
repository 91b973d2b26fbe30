/**
 * The hub against a real uWS server and a real client socket: what reaches the client when a
 * live connection is sent back to syncing (the resync after Redis dropped the subscriber)
 * in the same event-loop turn as a live change. uWS holds topic messages until the end of
 * the turn; the hub must not let the unsubscribe throw that change away.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import uWS from 'uWebSockets.js';
import WebSocket from 'ws';
import { createHub, type Hub } from '../../../gateway/hub';
import { newConnection, type Connection, type SocketData } from '../../../gateway/connection';
import { createGatewayMetrics } from '../../../gateway/metrics';
import { createMetricsRegistry } from '../../../src/metrics';
import { createLogger } from '../../../src/logger';

let app: uWS.TemplatedApp;
let listen: uWS.us_listen_socket;
let hub: Hub;
let port: number;
/** Connections by the user id in their path, set once uWS opens them. */
const opened = new Map<string, (conn: Connection) => void>();

beforeAll(async () => {
  app = uWS.App();
  const metrics = createGatewayMetrics(createMetricsRegistry('hub-test'), () => hub.size());
  hub = createHub(app, 64 * 1024, metrics, createLogger('hub-test', 'silent'));
  app.ws<SocketData>('/:user', {
    upgrade(res, req, context) {
      const userId = req.getParameter(0) ?? '';
      const conn = newConnection({
        id: randomUUID(),
        userId,
        caller: { userId, role: 'user', exp: Number.MAX_SAFE_INTEGER },
        now: Date.now(),
        resumeFrom: null,
      });
      res.upgrade<SocketData>(
        { conn },
        req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'),
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open(ws) {
      const { conn } = ws.getUserData();
      conn.ws = ws;
      hub.add(conn);
      opened.get(conn.userId)?.(conn);
    },
    close(ws) {
      const { conn } = ws.getUserData();
      conn.ws = null;
      hub.remove(conn);
    },
  });
  listen = await new Promise<uWS.us_listen_socket>((resolve, reject) =>
    app.listen('127.0.0.1', 0, (token) => (token ? resolve(token) : reject(new Error('listen')))),
  );
  port = uWS.us_socket_local_port(listen);
});

afterAll(() => uWS.us_listen_socket_close(listen));

/** A client of a fresh user, live in the hub; `ids` lists the stream ids it has received. */
async function liveClient() {
  const userId = randomUUID();
  const conn = new Promise<Connection>((resolve) => opened.set(userId, resolve));
  const socket = new WebSocket(`ws://127.0.0.1:${port}/${userId}`);
  const ids: string[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data) => {
    ids.push((JSON.parse(String(data)) as { id: string }).id);
    waiters.splice(0).forEach((wake) => wake());
  });
  const c = await conn;
  hub.goLive(c);
  return {
    userId,
    conn: c,
    ids,
    /** Every id received, once the one with `lastId` has arrived. */
    async receivedUpTo(lastId: string): Promise<string[]> {
      while (!ids.includes(lastId)) await new Promise<void>((wake) => waiters.push(wake));
      return ids;
    },
    close: () => socket.close(),
  };
}

const change = (id: string, userId: string) => ({
  id,
  json: JSON.stringify({ type: 'order.update', user_id: userId, status: 'paid' }),
});

describe('hub', () => {
  it('delivers a live change sent just before the socket goes back to syncing', async () => {
    const client = await liveClient();
    hub.deliverLive(client.userId, change('1-0', client.userId));
    hub.backToSyncing(client.conn);
    // The resync's replay: the stream after the cursor (already past 1-0), then live again.
    hub.sendUpdates(client.conn, [change('2-0', client.userId)], 'replay');
    hub.goLive(client.conn);
    hub.deliverLive(client.userId, change('3-0', client.userId));

    expect(await client.receivedUpTo('3-0')).toEqual(['1-0', '2-0', '3-0']);
    client.close();
  });

  it('holds changes while syncing and sends them, once and in order, when live again', async () => {
    const client = await liveClient();
    hub.backToSyncing(client.conn);
    hub.deliverLive(client.userId, change('5-0', client.userId));
    hub.deliverLive(client.userId, change('6-0', client.userId));
    hub.sendUpdates(
      client.conn,
      [change('4-0', client.userId), change('5-0', client.userId)],
      'replay',
    );
    hub.goLive(client.conn);

    expect(await client.receivedUpTo('6-0')).toEqual(['4-0', '5-0', '6-0']);
    client.close();
  });
});
