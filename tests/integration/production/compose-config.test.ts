/**
 * Docker Compose itself validates and merges docker-compose.yml and docker-compose.prod.yml
 * (`docker compose config`): the same parser `docker compose up` uses, short of a Docker
 * engine. The production run gets a secrets folder made from the committed examples.
 * Compose comes from the `docker compose` plugin when the client has it, otherwise from
 * Debian's docker-compose package, installed on first use.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureDebianPackage, ensureDockerCompose } from '../../support/debian';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const compose = ensureDockerCompose();
const openssl = ensureDebianPackage('openssl');
const skipReason = !compose.ok ? compose.reason : !openssl.ok ? openssl.reason : '';

interface ConfigOutput {
  services: Record<
    string,
    {
      environment?: Record<string, string>;
      deploy?: { replicas?: number };
      networks?: Record<string, unknown> | string[];
      image?: string;
    }
  >;
  networks: Record<string, { internal?: boolean }>;
}

function runCompose(args: string[], env: NodeJS.ProcessEnv = {}) {
  if (!compose.ok) throw new Error(compose.reason);
  const result = spawnSync(compose.command, [...compose.args, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    // A developer's shell may export variables the files interpolate; start from a clean slate.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.skipIf(skipReason !== '')(
  `docker compose config${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    let secrets = '';
    let envFile = '';

    beforeAll(() => {
      secrets = mkdtempSync(path.join(tmpdir(), 'compose-secrets-'));
      envFile = path.join(secrets, 'production.env');
      const example = readFileSync(
        path.join(REPO_ROOT, 'docker/secrets/production.env.example'),
        'utf8',
      );
      writeFileSync(envFile, example.replace(/^SECRETS_DIR=.*$/m, `SECRETS_DIR=${secrets}`));
      copyFileSync(
        path.join(REPO_ROOT, 'docker/secrets/app.env.example'),
        path.join(secrets, 'app.env'),
      );
      spawnSync('openssl', [
        'genpkey',
        '-algorithm',
        'RSA',
        '-pkeyopt',
        'rsa_keygen_bits:2048',
        '-out',
        path.join(secrets, 'jwt-private.pem'),
      ]);
    });
    afterAll(() => rmSync(secrets, { recursive: true, force: true }));

    it('accepts the development file', () => {
      const { status, stderr, stdout } = runCompose(['-f', 'docker-compose.yml', 'config']);
      expect(status, stderr).toBe(0);
      const config = parse(stdout) as ConfigOutput;
      expect(Object.keys(config.services)).toEqual(
        expect.arrayContaining([
          'api',
          'gateway',
          'worker',
          'dispatcher',
          'nginx',
          'kafka',
          'temporal',
        ]),
      );
    });

    it('merges the production override over it with the secrets from the env files', () => {
      const { status, stderr, stdout } = runCompose([
        '--env-file',
        envFile,
        '-f',
        'docker-compose.yml',
        '-f',
        'docker-compose.prod.yml',
        'config',
      ]);
      expect(status, stderr).toBe(0);
      const config = parse(stdout) as ConfigOutput;
      const example = readFileSync(envFile, 'utf8');
      const secret = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(example)![1];

      expect(config.services.api!.deploy?.replicas).toBe(3);
      expect(config.services.gateway!.deploy?.replicas).toBe(2);
      expect(Object.keys(config.services)).toEqual(expect.arrayContaining(['kafka-2', 'kafka-3']));
      expect(config.networks.backend!.internal).toBe(true);
      for (const app of ['api', 'gateway', 'worker', 'dispatcher']) {
        const env = config.services[app]!.environment!;
        expect(env.NODE_ENV, app).toBe('production');
        expect(env.DATABASE_URL, app).toBe(secret('DATABASE_URL'));
        expect(env.WEBHOOK_SECRET_KEY, app).toBe(secret('WEBHOOK_SECRET_KEY'));
      }
      expect(config.services.temporal!.image).toMatch(/^temporalio\/server:/);
    });

    it('refuses the production override without its secrets, naming what is missing', () => {
      // An empty env file, so that a developer's own .env cannot fill the gaps.
      const empty = path.join(secrets, 'empty.env');
      writeFileSync(empty, '');
      const { status, stderr } = runCompose([
        '--env-file',
        empty,
        '-f',
        'docker-compose.yml',
        '-f',
        'docker-compose.prod.yml',
        'config',
      ]);
      expect(status).not.toBe(0);
      expect(stderr).toMatch(/set [A-Z_]+ in docker\/secrets\/production\.env/);
    });
  },
);
