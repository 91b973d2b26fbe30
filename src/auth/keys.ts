/**
 * The RS256 key pair that signs every token. Production reads a PKCS#8 PEM from
 * JWT_PRIVATE_KEY_PATH (every API replica must share it); development generates one on first
 * start into `${STATE_DIR}/keys/` (mode 0600) and reuses it on every later start, so tokens
 * survive a restart. The key id (`kid`) is the key's RFC 7638 thumbprint: stable, derived
 * from the key itself, never configured by hand.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  type CryptoKey,
  type JWK,
} from 'jose';
import type { Config } from '../config';
import { JWT_ALG } from './claims';

export interface SigningKeys {
  kid: string;
  privateKey: CryptoKey;
  /** Public keys accepted for verification (the current one first), served as the JWKS. */
  jwks: { keys: JWK[] };
}

const PRIVATE_PARTS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'] as const;

async function fromPrivateKey(privateKey: CryptoKey): Promise<SigningKeys> {
  const jwk = await exportJWK(privateKey);
  for (const part of PRIVATE_PARTS) delete jwk[part];
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, privateKey, jwks: { keys: [{ ...jwk, kid, alg: JWT_ALG, use: 'sig' }] } };
}

/** A fresh in-memory key pair (tests, or the first start of a development stack). */
export async function generateSigningKeys(): Promise<SigningKeys> {
  const { privateKey } = await generateKeyPair(JWT_ALG, { modulusLength: 2048, extractable: true });
  return fromPrivateKey(privateKey);
}

export async function signingKeysFromPem(pem: string): Promise<SigningKeys> {
  return fromPrivateKey(await importPKCS8(pem, JWT_ALG, { extractable: true }));
}

export const DEV_KEY_FILE = 'jwt-private.pem';

/**
 * Loads the signing key: from JWT_PRIVATE_KEY_PATH when set; otherwise (never in production)
 * from `${STATE_DIR}/keys/jwt-private.pem`, generating it first if it does not exist yet.
 * Two processes starting at once cannot end up with different keys: the file is created
 * with a hard link, which fails if the other process won the race, and then its key is read.
 */
export async function loadSigningKeys(
  config: Pick<Config, 'JWT_PRIVATE_KEY_PATH' | 'STATE_DIR' | 'NODE_ENV'>,
): Promise<SigningKeys> {
  if (config.JWT_PRIVATE_KEY_PATH) {
    return signingKeysFromPem(await fs.readFile(config.JWT_PRIVATE_KEY_PATH, 'utf8'));
  }
  if (config.NODE_ENV === 'production') {
    throw new Error(
      'JWT_PRIVATE_KEY_PATH is required in production (keys are only generated for development)',
    );
  }
  const dir = path.join(config.STATE_DIR, 'keys');
  const file = path.join(dir, DEV_KEY_FILE);
  try {
    return await signingKeysFromPem(await fs.readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const generated = await generateSigningKeys();
  const temp = path.join(dir, `.${DEV_KEY_FILE}.${randomUUID()}`);
  await fs.writeFile(temp, await exportPKCS8(generated.privateKey), { mode: 0o600, flag: 'wx' });
  try {
    await fs.link(temp, file);
    return generated;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return signingKeysFromPem(await fs.readFile(file, 'utf8'));
  } finally {
    await fs.unlink(temp);
  }
}
