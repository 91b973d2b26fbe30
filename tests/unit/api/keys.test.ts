import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportPKCS8 } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_KEY_FILE, generateSigningKeys, loadSigningKeys } from '../../../src/auth/keys';

const dirs: string[] = [];
async function stateDir() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'api-keys-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});

describe('signing keys', () => {
  it('generates a development key on first start (PKCS#8, mode 0600) and reuses it after', async () => {
    const STATE_DIR = await stateDir();
    const first = await loadSigningKeys({ STATE_DIR, NODE_ENV: 'development' });
    const file = path.join(STATE_DIR, 'keys', DEV_KEY_FILE);
    const stat = await fs.stat(file);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(await fs.readFile(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const second = await loadSigningKeys({ STATE_DIR, NODE_ENV: 'development' });
    expect(second.kid).toBe(first.kid);
  });

  it('agrees on one key when several processes start at once', async () => {
    const STATE_DIR = await stateDir();
    const all = await Promise.all(
      [1, 2, 3, 4].map(() => loadSigningKeys({ STATE_DIR, NODE_ENV: 'development' })),
    );
    expect(new Set(all.map((k) => k.kid)).size).toBe(1);
    expect((await fs.readdir(path.join(STATE_DIR, 'keys'))).sort()).toEqual([DEV_KEY_FILE]);
  });

  it('reads JWT_PRIVATE_KEY_PATH when set, and refuses to invent a key in production', async () => {
    const dir = await stateDir();
    const keys = await generateSigningKeys();
    const pem = path.join(dir, 'prod.pem');
    await fs.writeFile(pem, await exportPKCS8(keys.privateKey));
    const loaded = await loadSigningKeys({
      STATE_DIR: dir,
      NODE_ENV: 'production',
      JWT_PRIVATE_KEY_PATH: pem,
    });
    expect(loaded.kid).toBe(keys.kid);
    await expect(loadSigningKeys({ STATE_DIR: dir, NODE_ENV: 'production' })).rejects.toThrow(
      /JWT_PRIVATE_KEY_PATH/,
    );
  });

  it('publishes only the public half in the JWKS', async () => {
    const keys = await generateSigningKeys();
    const [jwk] = keys.jwks.keys;
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: keys.kid });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwk).not.toHaveProperty(secret);
  });
});
