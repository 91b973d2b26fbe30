import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createSecretBox,
  developmentKeyPath,
  loadSecretKey,
  parseSecretKey,
} from '../../../src/webhooks/secret-box';

describe('webhook secret encryption (AES-256-GCM)', () => {
  const box = createSecretBox(randomBytes(32));

  it('round-trips a secret and never stores it in clear', () => {
    const id = randomUUID();
    const envelope = box.encrypt('whsec_c2VjcmV0', id);
    expect(envelope).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(envelope).not.toContain('c2VjcmV0');
    expect(box.decrypt(envelope, id)).toBe('whsec_c2VjcmV0');
  });

  it('uses a fresh IV each time', () => {
    const id = randomUUID();
    expect(box.encrypt('same', id)).not.toBe(box.encrypt('same', id));
  });

  it('refuses a ciphertext moved to another webhook (the id is authenticated)', () => {
    const envelope = box.encrypt('whsec_x', randomUUID());
    expect(() => box.decrypt(envelope, randomUUID())).toThrow();
  });

  it('refuses a tampered ciphertext', () => {
    const id = randomUUID();
    const [v, iv, ct, tag] = box.encrypt('whsec_secret-value', id).split('.');
    const flipped = Buffer.from(ct!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.decrypt([v, iv, flipped.toString('base64url'), tag].join('.'), id)).toThrow();
  });

  it('refuses to decrypt with another key', () => {
    const id = randomUUID();
    const envelope = box.encrypt('whsec_x', id);
    expect(() => createSecretBox(randomBytes(32)).decrypt(envelope, id)).toThrow();
  });

  it('parses keys given as hex or base64 and refuses other lengths', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(() => parseSecretKey(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });

  it('generates a development key once, into STATE_DIR/keys, readable by the owner only', () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'webhook-key-'));
    const cfg = {
      NODE_ENV: 'development' as const,
      STATE_DIR: stateDir,
      WEBHOOK_SECRET_KEY: undefined,
    };
    const first = loadSecretKey(cfg);
    expect(loadSecretKey(cfg)).toEqual(first);
    const file = developmentKeyPath(stateDir);
    expect(parseSecretKey(readFileSync(file, 'utf8'))).toEqual(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('requires WEBHOOK_SECRET_KEY in production', () => {
    expect(() =>
      loadSecretKey({ NODE_ENV: 'production', STATE_DIR: tmpdir(), WEBHOOK_SECRET_KEY: undefined }),
    ).toThrow(/required in production/);
  });
});
