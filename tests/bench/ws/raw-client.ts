/**
 * A minimal WebSocket client over a raw TCP socket: handshake, unmasked server frames, pong
 * replies. It stamps each chunk as it arrives and reads `seq` and `t` out of the bytes without
 * JSON.parse, so that one load process can take 10,000 deliveries in a few milliseconds and
 * the latency measured is the gateway's, not the client's queue (the `ws` package spends tens
 * of microseconds per message, enough to dominate a 10,000-socket fan-out).
 */
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { now } from './clock';

/** An upgrade not answered by then counts as failed ('handshake timeout'), not as a hang. */
const HANDSHAKE_TIMEOUT_MS = 30_000;

export type OnUpdate = (seq: number, sentAt: number, receivedAt: number) => void;

export interface Target {
  port: number;
  path: string;
  token: string;
  /** Source address to bind; undefined lets the kernel choose the source port. */
  localAddress: string | undefined;
}

export class RawClient {
  private pending: Buffer | null = null;
  private handshaken = false;
  open = false;

  /** Called once if the connection closes after it was accepted. */
  onClose: (why: string) => void = () => {};
  private closeCode: number | null = null;
  private error: string | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly onUpdate: OnUpdate,
  ) {}

  /** The open client, or why it is not: `HTTP 429`, `ECONNREFUSED`, ... */
  static connect(target: Target, onUpdate: OnUpdate): Promise<RawClient | string> {
    return new Promise((resolve) => {
      const { port, path, token, localAddress } = target;
      const socket = tcpConnect({
        host: '127.0.0.1',
        port,
        ...(localAddress ? { localAddress } : {}),
      });
      const client = new RawClient(socket, onUpdate);
      socket.setNoDelay(true);
      socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () => {
        if (client.handshaken) return;
        resolve('handshake timeout');
        socket.destroy();
      });
      socket.once('connect', () => {
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
            `Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
            `Authorization: Bearer ${token}\r\n\r\n`,
        );
      });
      socket.on('data', (chunk: Buffer) => {
        const receivedAt = now();
        if (!client.handshaken) {
          const data = client.pending ? Buffer.concat([client.pending, chunk]) : chunk;
          const end = data.indexOf('\r\n\r\n');
          if (end < 0) {
            client.pending = data;
            return;
          }
          client.pending = null;
          client.handshaken = true;
          socket.setTimeout(0);
          const status = data.subarray(9, 12).toString('latin1');
          client.open = status === '101';
          resolve(client.open ? client : `HTTP ${status}`);
          if (!client.open) return void socket.destroy();
          chunk = data.subarray(end + 4);
        }
        client.frames(chunk, receivedAt);
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        client.error = err.code ?? err.message;
        resolve(client.error);
      });
      socket.on('close', () => {
        if (client.open) {
          client.onClose(
            client.closeCode ? `close ${client.closeCode}` : (client.error ?? 'tcp closed'),
          );
        }
        client.open = false;
        resolve('closed before the handshake');
      });
    });
  }

  private frames(chunk: Buffer, receivedAt: number): void {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let at = 0;
    while (data.length - at >= 2) {
      const opcode = data[at]! & 0x0f;
      let length = data[at + 1]! & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        header = 10;
      }
      if (data.length - at < header + length) break;
      const payload = data.subarray(at + header, at + header + length);
      at += header + length;
      if (opcode === 0x9)
        this.socket.write(Buffer.from([0x8a, 0x80, 0, 0, 0, 0])); // pong, zero mask
      else if (opcode === 0x8) {
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        this.socket.end();
      } else if (opcode === 0x1) this.text(payload, receivedAt);
    }
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
  }

  private text(payload: Buffer, receivedAt: number): void {
    const seqAt = payload.indexOf('"seq":');
    if (seqAt < 0) return;
    const tAt = payload.indexOf('"t":', seqAt);
    const seq = Number.parseInt(payload.toString('latin1', seqAt + 6, seqAt + 20), 10);
    const sentAt = Number.parseFloat(payload.toString('latin1', tAt + 4, tAt + 30));
    this.onUpdate(seq, sentAt, receivedAt);
  }

  close(): void {
    this.onClose = () => {};
    this.socket.destroy();
  }
}
