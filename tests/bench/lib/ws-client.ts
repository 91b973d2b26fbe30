/**
 * One customer's live-status socket, as a careful client keeps it: open before the first
 * order, and when it drops (gateway restarted, Redis failed under it, token expired) reopen it
 * with `last_event_id` = the stream id of the last update received, so the gateway replays
 * what was missed. Whatever is lost despite that is what the run reports as lost.
 *
 * Reconnects back off from 250 ms to 2 s and stop once the socket is closed by the run.
 */
import WebSocket from 'ws';
import { Tally } from './http';

export interface StatusUpdate {
  orderId: string;
  eventId: string;
  status: string;
  /** Redis stream id: "<ms>-<seq>", the ms being Redis's clock when the worker published. */
  streamId: string;
  /** Epoch ms, sub-millisecond, when the message was read from the socket. */
  receivedAt: number;
}

export interface SocketOptions {
  gatewayUrl: string;
  userId: string;
  /** A valid access token; `fresh` asks for a new one (the last was refused or expired). */
  token: (fresh: boolean) => Promise<string>;
  onUpdate: (update: StatusUpdate) => void;
  /** Shared by every socket of a run: close codes, refusals, replay gaps. */
  events: Tally;
}

const OPEN_TIMEOUT_MS = 10_000;
export const nowEpochMs = (): number => performance.timeOrigin + performance.now();

export class UserSocket {
  private ws: WebSocket | undefined;
  private closedByUs = false;
  private resumeFrom: string | undefined;
  private backoff = 250;
  private needFreshToken = false;
  private firstSnapshot: (() => void) | undefined;
  reconnects = 0;

  constructor(private readonly options: SocketOptions) {}

  /** Opens the socket; resolves once the gateway's snapshot has arrived. */
  open(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`socket of ${this.options.userId} not ready in ${OPEN_TIMEOUT_MS} ms`)),
        OPEN_TIMEOUT_MS,
      );
      this.firstSnapshot = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    void this.connect();
    return ready;
  }

  close(): void {
    this.closedByUs = true;
    this.ws?.close(1000, 'run finished');
  }

  private async connect(): Promise<void> {
    if (this.closedByUs) return;
    let token: string;
    try {
      token = await this.options.token(this.needFreshToken);
      this.needFreshToken = false;
    } catch {
      this.options.events.add('ws token refresh failed');
      this.retryLater();
      return;
    }
    const params = new URLSearchParams({ token });
    if (this.resumeFrom) params.set('last_event_id', this.resumeFrom);
    const url = `${this.options.gatewayUrl}/ws/orders/${this.options.userId}?${params}`;
    const ws = new WebSocket(url, { handshakeTimeout: 5000 });
    this.ws = ws;
    ws.on('message', (data) => this.onMessage(String(data)));
    ws.on('unexpected-response', (_req, res) => {
      this.options.events.add(`ws upgrade refused ${res.statusCode ?? '?'}`);
      if (res.statusCode === 401) this.needFreshToken = true;
      ws.terminate();
    });
    ws.on('error', (err) => this.options.events.add(`ws error ${errorCode(err)}`));
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      if (this.closedByUs) return;
      this.options.events.add(`ws closed ${code}`);
      // 4001: the access token expired; reconnecting needs a new one.
      if (code === 4001) this.needFreshToken = true;
      this.retryLater();
    });
  }

  private retryLater(): void {
    if (this.closedByUs) return;
    this.reconnects++;
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, 2000);
    setTimeout(() => void this.connect(), wait);
  }

  private onMessage(text: string): void {
    const receivedAt = nowEpochMs();
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text) as Record<string, unknown>;
    } catch {
      this.options.events.add('ws unparsable message');
      return;
    }
    switch (message.type) {
      case 'snapshot':
        this.backoff = 250;
        // Resume from the snapshot's position only if nothing newer was received before.
        if (!this.resumeFrom && typeof message.last_event_id === 'string')
          this.resumeFrom = message.last_event_id;
        this.firstSnapshot?.();
        this.firstSnapshot = undefined;
        return;
      case 'order.update': {
        const streamId = String(message.id ?? '');
        if (streamId) this.resumeFrom = streamId;
        this.options.onUpdate({
          orderId: String(message.order_id),
          eventId: String(message.event_id),
          status: String(message.status),
          streamId,
          receivedAt,
        });
        return;
      }
      case 'error':
        this.options.events.add(`ws error message ${String(message.code)}`);
        return;
      default:
        return;
    }
  }
}

function errorCode(err: Error): string {
  const code = (err as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : err.message.slice(0, 40);
}
