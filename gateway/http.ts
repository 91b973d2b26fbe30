/**
 * The plain HTTP side of the gateway: refusals written on the upgrade response, /health,
 * /metrics and the demo page (gateway/public, served from memory, no build step).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { Registry } from 'prom-client';
import type { Logger } from '../src/logger';
import type { Refusal } from './auth';

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 Not Found',
  429: '429 Too Many Requests',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

/** An RFC 9457 problem, written in one corked write and closing the connection. */
export function writeRefusal(res: HttpResponse, refusal: Refusal): void {
  res.cork(() => {
    res.writeStatus(STATUS_TEXT[refusal.status] ?? `${refusal.status} Error`);
    res.writeHeader('Content-Type', 'application/problem+json');
    res.writeHeader('Cache-Control', 'no-store');
    for (const [name, value] of Object.entries(refusal.headers)) res.writeHeader(name, value);
    res.end(
      JSON.stringify({
        title: STATUS_TEXT[refusal.status]?.slice(4),
        status: refusal.status,
        detail: refusal.detail,
      }),
      true,
    );
  });
}

function writeJson(res: HttpResponse, status: number, body: unknown): void {
  res.cork(() => {
    res.writeStatus(STATUS_TEXT[status] ?? `${status} Error`);
    res.writeHeader('Content-Type', 'application/json');
    res.writeHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(body));
  });
}

const PUBLIC = (name: string) => fileURLToPath(new URL(`./public/${name}`, import.meta.url));

const DEMO_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

// The page talks to the API on another port (or the same origin behind nginx) and to us.
const DEMO_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' http: https: ws: wss:; " +
  "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface HttpRoutesDeps {
  registry: Registry;
  health: () => { ok: boolean; details: Record<string, unknown> };
  logger: Logger;
}

export function registerHttpRoutes(app: TemplatedApp, deps: HttpRoutesDeps): void {
  for (const [path, { file, type }] of Object.entries(DEMO_FILES)) {
    const body = readFileSync(PUBLIC(file));
    app.get(path, (res) => {
      res.writeHeader('Content-Type', type);
      res.writeHeader('Cache-Control', 'no-cache');
      res.writeHeader('X-Content-Type-Options', 'nosniff');
      if (type.startsWith('text/html')) {
        res.writeHeader('Content-Security-Policy', DEMO_CSP);
        res.writeHeader('Referrer-Policy', 'no-referrer');
      }
      res.end(body);
    });
  }

  app.get('/health', (res) => {
    const { ok, details } = deps.health();
    writeJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', ...details });
  });

  app.get('/metrics', (res) => {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    deps.registry.metrics().then(
      (text) => {
        if (aborted) return;
        res.cork(() => {
          res.writeHeader('Content-Type', deps.registry.contentType);
          res.end(text);
        });
      },
      (err: unknown) => {
        deps.logger.error({ err }, 'metrics collection failed');
        if (!aborted) writeJson(res, 500, { status: 'error' });
      },
    );
  });

  app.any('/*', (res) => writeJson(res, 404, { status: 404, detail: 'not found' }));
}
