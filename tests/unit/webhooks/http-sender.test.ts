import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { sendWebhook } from '../../../src/webhooks/http-sender';
import { attemptDelivery, type AttemptSettings } from '../../../src/webhooks/attempt';
import { generateSecret } from '../../../src/webhooks/signing';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let server: Server;
let port: number;
let handler: Handler = (_req, _body, res) => res.end('ok');

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString(), res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const target = { address: '127.0.0.1', family: 4 as const };
const send = (path: string, overrides: Partial<Parameters<typeof sendWebhook>[0]> = {}) =>
  sendWebhook({
    url: new URL(`http://receiver.invalid:${port}${path}`),
    target,
    headers: { 'content-type': 'application/json' },
    body: '{"hello":"world"}',
    timeoutMs: 2_000,
    maxResponseBytes: 1024,
    ...overrides,
  });

describe('sending one webhook request', () => {
  it('connects to the pinned address, keeping the URL host in the Host header', async () => {
    let host: string | undefined;
    handler = (req, body, res) => {
      host = req.headers.host;
      res.end(body);
    };
    const result = await send('/in');
    expect(result).toMatchObject({ kind: 'response', status: 200, body: '{"hello":"world"}' });
    expect(host).toBe(`receiver.invalid:${port}`);
  });

  it('does not follow redirects', async () => {
    let hits = 0;
    handler = (_req, _body, res) => {
      hits++;
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
    };
    const result = await send('/redirect');
    expect(result).toMatchObject({ kind: 'response', status: 302 });
    expect(hits).toBe(1);
  });

  it('gives up on a slow receiver at the deadline', async () => {
    handler = () => {
      /* never answers */
    };
    const started = Date.now();
    const result = await send('/slow', { timeoutMs: 300 });
    expect(result.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reads no more than the response cap', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200);
      const chunk = 'x'.repeat(16 * 1024);
      for (let i = 0; i < 64; i++) res.write(chunk); // 1 MiB
      res.end();
    };
    const result = await send('/big', { maxResponseBytes: 4096 });
    expect(result.kind).toBe('response');
    if (result.kind === 'response') expect(result.body.length).toBe(4096);
  });

  it('reports a refused connection as a network error', async () => {
    const result = await sendWebhook({
      url: new URL('http://127.0.0.1:1/'),
      target,
      headers: {},
      body: '{}',
      timeoutMs: 2_000,
      maxResponseBytes: 1024,
    });
    expect(result).toMatchObject({ kind: 'network', message: 'ECONNREFUSED' });
  });
});

describe('one delivery attempt', () => {
  const settings = (allowPrivate: boolean): AttemptSettings => ({
    policy: { allowPrivate, requireHttps: false },
    timeoutMs: 2_000,
    maxResponseBytes: 1024,
  });

  it('signs the request so the receiver can verify it', async () => {
    const secret = generateSecret();
    let verified: unknown;
    handler = (req, body, res) => {
      verified = new Webhook(secret).verify(body, req.headers as Record<string, string>);
      res.writeHead(204).end();
    };
    const report = await attemptDelivery(
      {
        url: `http://127.0.0.1:${port}/in`,
        secret,
        messageId: 'evt_1',
        body: '{"type":"x"}',
        now: new Date(),
      },
      settings(true),
    );
    expect(report).toMatchObject({ outcome: 'delivered', responseStatus: 204 });
    expect(verified).toEqual({ type: 'x' });
  });

  it('refuses a loopback target when private targets are not allowed, without sending', async () => {
    let hits = 0;
    handler = (_req, _body, res) => {
      hits++;
      res.end();
    };
    const report = await attemptDelivery(
      {
        url: `http://127.0.0.1:${port}/in`,
        secret: generateSecret(),
        messageId: 'e',
        body: '{}',
        now: new Date(),
      },
      settings(false),
    );
    expect(report.outcome).toBe('rejected');
    expect(report.error).toMatch(/loopback/);
    expect(hits).toBe(0);
  });

  it('takes Retry-After from a 429', async () => {
    handler = (_req, _body, res) => res.writeHead(429, { 'retry-after': '7' }).end('slow down');
    const report = await attemptDelivery(
      {
        url: `http://127.0.0.1:${port}/in`,
        secret: generateSecret(),
        messageId: 'e',
        body: '{}',
        now: new Date(),
      },
      settings(true),
    );
    expect(report).toMatchObject({
      outcome: 'retryable',
      responseStatus: 429,
      retryAfterMs: 7000,
      responseBody: 'slow down',
    });
  });
});
