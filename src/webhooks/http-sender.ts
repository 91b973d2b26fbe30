/**
 * One HTTP POST to a webhook target, connected to an address the SSRF guard has checked
 * (the lookup is pinned, TLS still verifies the URL's host name), with a deadline for the
 * whole exchange, a cap on the response bytes read, a fresh connection each time and no
 * redirects followed (node:http never follows them; a 3xx is just a status).
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './ssrf';

export interface SendRequest {
  url: URL;
  target: ResolvedAddress;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  maxResponseBytes: number;
}

export type SendResult =
  | {
      kind: 'response';
      status: number;
      /** The response body, cut at maxResponseBytes. */
      body: string;
      retryAfter: string | undefined;
      latencyMs: number;
    }
  | { kind: 'timeout' | 'network'; message: string; latencyMs: number };

/** A lookup that answers every query with the checked address. */
function pinnedLookup(target: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) {
      (callback as (err: null, addresses: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    } else {
      callback(null, target.address, target.family);
    }
  };
}

export function sendWebhook(req: SendRequest): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const transport = req.url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const request = transport.request(
      req.url,
      {
        method: 'POST',
        agent: false,
        lookup: pinnedLookup(req.target),
        headers: { ...req.headers, 'content-length': Buffer.byteLength(req.body).toString() },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () =>
          finish({
            kind: 'response',
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).subarray(0, req.maxResponseBytes).toString('utf8'),
            retryAfter:
              typeof res.headers['retry-after'] === 'string'
                ? res.headers['retry-after']
                : undefined,
            latencyMs: elapsed(),
          });
        res.on('data', (chunk: Buffer) => {
          if (size < req.maxResponseBytes) chunks.push(chunk);
          size += chunk.length;
          if (size >= req.maxResponseBytes) {
            // Enough read: the status is what matters; drop the connection instead of reading on.
            done();
            res.destroy();
          }
        });
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      },
    );
    const deadline = setTimeout(() => {
      finish({
        kind: 'timeout',
        message: `no complete response within ${req.timeoutMs} ms`,
        latencyMs: elapsed(),
      });
      request.destroy();
    }, req.timeoutMs);
    request.on('error', (err: NodeJS.ErrnoException) => {
      finish({ kind: 'network', message: err.code ?? err.message, latencyMs: elapsed() });
    });
    request.end(req.body);
  });
}
