/**
 * Security headers on every response (hono/secure-headers): a Content-Security-Policy that
 * allows nothing for the JSON API, and a narrower exception for the /docs page, whose
 * reference UI loads its script from jsDelivr and runs one inline bootstrap script (allowed by
 * a per-response nonce, not by 'unsafe-inline').
 */
import type { MiddlewareHandler } from 'hono';
import { NONCE, secureHeaders } from 'hono/secure-headers';

const common = {
  strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  referrerPolicy: 'no-referrer',
  crossOriginResourcePolicy: 'same-origin',
  xFrameOptions: 'DENY',
  removePoweredBy: true,
} as const;

export function apiSecurityHeaders(): MiddlewareHandler {
  return secureHeaders({
    ...common,
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
  });
}

export const DOCS_SCRIPT_CDN = 'https://cdn.jsdelivr.net';

export function docsSecurityHeaders(): MiddlewareHandler {
  return secureHeaders({
    ...common,
    crossOriginEmbedderPolicy: false,
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: [NONCE, DOCS_SCRIPT_CDN],
      styleSrc: ["'self'", "'unsafe-inline'", DOCS_SCRIPT_CDN, 'https://fonts.scalar.com'],
      fontSrc: ["'self'", 'data:', 'https://fonts.scalar.com', DOCS_SCRIPT_CDN],
      imgSrc: ["'self'", 'data:', 'https:'],
      connectSrc: ["'self'"],
      workerSrc: ["'self'", 'blob:'],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
  });
}
