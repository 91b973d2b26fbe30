/**
 * Webhook signing secrets at rest (the seed's 9.2): AES-256-GCM with a random 96-bit IV per
 * encryption and the webhook id as additional authenticated data, so a ciphertext copied onto
 * another row does not decrypt. Stored as `v1.<iv>.<ciphertext>.<tag>` (base64url).
 *
 * The key is WEBHOOK_SECRET_KEY (32 bytes, base64 or hex). Outside production, when it is
 * unset, a key is generated once into `${STATE_DIR}/keys/webhook.key` and shared by every
 * process of the local stack; production refuses to start without one.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config';

const VERSION = 'v1';
const IV_BYTES = 12;
const KEY_BYTES = 32;

export interface SecretBox {
  encrypt(plaintext: string, webhookId: string): string;
  decrypt(envelope: string, webhookId: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`webhook secret key must be ${KEY_BYTES} bytes`);
  return {
    encrypt(plaintext, webhookId) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(webhookId));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv, ciphertext, tag]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    decrypt(envelope, webhookId) {
      const [version, iv, ciphertext, tag] = envelope.split('.');
      if (
        version !== VERSION ||
        iv === undefined ||
        ciphertext === undefined ||
        tag === undefined
      ) {
        throw new Error('unknown webhook secret envelope');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(webhookId));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}

/** Parses a 32-byte key given as 64 hex digits or base64; throws on anything else. */
export function parseSecretKey(value: string): Buffer {
  const trimmed = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`WEBHOOK_SECRET_KEY must be ${KEY_BYTES} bytes (64 hex digits or base64)`);
  }
  return key;
}

/** The key file of the local stack, created on first use (mode 0600). */
export function developmentKeyPath(stateDir: string): string {
  return path.join(stateDir, 'keys', 'webhook.key');
}

function readOrCreateDevelopmentKey(file: string): Buffer {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written whole to a temporary file, then linked into place: link() fails when the key
  // exists, so processes starting together agree on one key and never read a partial file.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, randomBytes(KEY_BYTES).toString('base64') + '\n', { mode: 0o600 });
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  return parseSecretKey(readFileSync(file, 'utf8'));
}

export function loadSecretKey(
  config: Pick<Config, 'WEBHOOK_SECRET_KEY' | 'NODE_ENV' | 'STATE_DIR'>,
): Buffer {
  if (config.WEBHOOK_SECRET_KEY) return parseSecretKey(config.WEBHOOK_SECRET_KEY);
  if (config.NODE_ENV === 'production') {
    throw new Error('WEBHOOK_SECRET_KEY is required in production (32 bytes, base64 or hex)');
  }
  return readOrCreateDevelopmentKey(developmentKeyPath(config.STATE_DIR));
}

export function secretBoxFromConfig(
  config: Pick<Config, 'WEBHOOK_SECRET_KEY' | 'NODE_ENV' | 'STATE_DIR'>,
): SecretBox {
  return createSecretBox(loadSecretKey(config));
}
