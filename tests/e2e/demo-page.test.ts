/**
 * The demo page in headless Chromium (Debian's package, driven by playwright-core; no browser
 * download): log in, place an order, and watch it reach `delivered` over the WebSocket. Needs
 * the whole running stack (API, worker, gateway): `npm test` starts it and passes API_URL and
 * GATEWAY_URL; run alone, the test is skipped when the API does not answer.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { ensureDebianPackage } from '../support/debian';

const API_URL = process.env.API_URL ?? 'http://127.0.0.1:8000';
const GATEWAY_URL = (process.env.GATEWAY_URL ?? 'http://127.0.0.1:8001').replace(/^ws/, 'http');
// Debian's Chromium, installed on first use (never a browser download).
const installed = process.env.CHROMIUM_PATH ? undefined : ensureDebianPackage('chromium');
const CHROMIUM =
  process.env.CHROMIUM_PATH ?? (installed?.ok ? installed.path : '/usr/bin/chromium');

async function reachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.status < 500;
  } catch {
    return false;
  }
}

const apiUp = await reachable(`${API_URL}/health/live`);
const gatewayUp = await reachable(`${GATEWAY_URL}/health`);
const ready = apiUp && gatewayUp && existsSync(CHROMIUM);
if (!ready) {
  console.warn(
    `skipping the demo page test: needs the running stack and Chromium ` +
      `(API ${API_URL}: ${apiUp ? 'up' : 'down'}, gateway ${GATEWAY_URL}: ${gatewayUp ? 'up' : 'down'}, ` +
      `${CHROMIUM}: ${existsSync(CHROMIUM) ? 'found' : 'missing'}); start it with \`npm start\``,
  );
}

let browser: Browser | undefined;

beforeAll(async () => {
  if (!ready) return;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('demo page', () => {
  it.skipIf(!ready)(
    'logs in, places an order and shows its status changing live until delivered',
    async () => {
      const page = await browser!.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));

      await page.goto(`${GATEWAY_URL}/?api=${encodeURIComponent(API_URL)}`);
      await page.click('#login-button'); // the demo customer's credentials are prefilled
      await page.waitForSelector('#ws-state[data-state="open"]', { timeout: 15_000 });
      await page.waitForSelector('#product-select option', { state: 'attached', timeout: 15_000 });

      await page.click('#order-button');
      await page.waitForSelector('#current-order-id:not(:empty)', { timeout: 15_000 });
      const orderId = await page.textContent('#current-order-id');
      await page.waitForSelector('#order-status[data-status="delivered"]', { timeout: 60_000 });

      // Every step arrived live, in order, in the page's message log.
      const log = (
        await page.$$eval('#log li', (items) => items.map((li) => li.textContent ?? ''))
      ).reverse();
      const steps = log
        .filter((line) => line.includes(`${orderId!.slice(0, 8)} → `))
        .map((line) => /→ (\w+)/.exec(line)?.[1]);
      expect(steps).toEqual([
        'pending',
        'validated',
        'paid',
        'processing',
        'fulfilled',
        'shipped',
        'delivered',
      ]);
      expect(errors).toEqual([]);
      await page.close();
    },
    90_000,
  );
});
