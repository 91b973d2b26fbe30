/* global process, fetch, AbortSignal, console */
/**
 * Container health probe: `node docker/healthcheck.mjs <url>` exits 0 when the URL answers
 * 2xx within two seconds, 1 otherwise. The runtime images are distroless (no shell, no curl),
 * so Docker's HEALTHCHECK and compose's healthcheck run this with the image's own node.
 */
const url = process.argv[2] ?? process.env.HEALTHCHECK_URL;
if (!url) {
  console.error('usage: healthcheck.mjs <url>');
  process.exit(2);
}
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
