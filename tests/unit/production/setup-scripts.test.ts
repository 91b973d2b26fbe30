/**
 * The scripts and templates under docker/ that repeat what the code defines: the Kafka topic
 * list, the Temporal search attributes, the variables of the nginx template. A change on one
 * side without the other fails here. Plus: every script parses, and the development
 * certificate script makes a certificate nginx can serve.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SEARCH_ATTRIBUTES } from '../../../src/contract/orders';
import { ALL_TOPICS } from '../../../src/contract/topics';
import { ensureDebianPackage } from '../../support/debian';
import { loadCompose, REPO_ROOT } from './support/compose';
import { finalStage, parseDockerfile } from './support/images';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const scratch = mkdtempSync(path.join(tmpdir(), 'setup-scripts-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SCRIPTS = [
  'docker/kafka/topics.sh',
  'docker/temporal/setup.sh',
  'docker/temporal/schema.sh',
  'docker/postgres/init/10-temporal.sh',
  'docker/nginx/gen-dev-certs.sh',
];

describe('docker/ scripts', () => {
  it.each(SCRIPTS)('%s parses and is executable', (script) => {
    const shell = read(script).startsWith('#!/bin/bash') ? 'bash' : 'sh';
    const result = spawnSync(shell, ['-n', path.join(REPO_ROOT, script)], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(statSync(path.join(REPO_ROOT, script)).mode & 0o111).not.toBe(0);
  });

  it('topics.sh creates exactly the topics of src/contract/topics.ts', () => {
    const block = /TOPICS=\(\n([\s\S]*?)\n\)/.exec(read('docker/kafka/topics.sh'))?.[1] ?? '';
    const topics = block
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    expect(topics).toEqual([...ALL_TOPICS]);
    expect(ALL_TOPICS).toHaveLength(8);
  });

  it('setup.sh registers exactly the search attributes of src/contract/orders.ts', () => {
    const line = /^SEARCH_ATTRIBUTES="([^"]*)"/m.exec(read('docker/temporal/setup.sh'))?.[1] ?? '';
    const declared = Object.fromEntries(line.split(/\s+/).map((pair) => pair.split(':')));
    expect(declared).toEqual(SEARCH_ATTRIBUTES);
  });
});

describe('the nginx template', () => {
  const template = read('docker/nginx/templates/default.conf.template');
  const variables = [
    ...new Set([...template.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1]!)),
  ];

  it('uses only variables the image sets and compose passes', () => {
    const env = finalStage(parseDockerfile('docker/nginx/Dockerfile'))
      .concat(parseDockerfile('docker/nginx/Dockerfile'))
      .filter((i) => i.keyword === 'ENV')
      .flatMap((i) => [...i.args.matchAll(/([A-Z_][A-Z0-9_]*)=/g)].map((m) => m[1]!));
    const composeEnv = Object.keys(loadCompose('docker-compose.yml').services.nginx!.environment!);
    expect(variables.length).toBeGreaterThanOrEqual(6);
    for (const variable of variables) {
      expect(env, `${variable} in the Dockerfile`).toContain(variable);
      expect(composeEnv, `${variable} in compose`).toContain(variable);
    }
  });

  it('never uses a lower-case ${...}, which envsubst would blank out', () => {
    expect(template).not.toMatch(/\$\{[a-z]/);
  });

  it('allows TLS 1.2 and 1.3 only and logs paths without query strings', () => {
    expect(template).toMatch(/^\s*ssl_protocols TLSv1\.2 TLSv1\.3;$/m);
    const logFormat = /^\s*log_format[^;]*;/m.exec(read('docker/nginx/nginx.conf'))?.[0] ?? '';
    expect(logFormat).toContain('"path":"$uri"');
    expect(logFormat).not.toContain('$request_uri');
  });
});

describe('docker/nginx/gen-dev-certs.sh', () => {
  const openssl = ensureDebianPackage('openssl');

  it.skipIf(!openssl.ok)(
    'makes a self-signed certificate for localhost, and keeps it on a rerun',
    () => {
      const script = path.join(REPO_ROOT, 'docker/nginx/gen-dev-certs.sh');
      execFileSync(script, [scratch], { stdio: 'pipe' });
      const text = execFileSync(
        'openssl',
        ['x509', '-in', path.join(scratch, 'cert.pem'), '-noout', '-text'],
        {
          encoding: 'utf8',
        },
      );
      expect(text).toContain('DNS:localhost');
      expect(text).toContain('IP Address:127.0.0.1');
      const before = read(path.relative(REPO_ROOT, path.join(scratch, 'cert.pem')));
      expect(execFileSync(script, [scratch], { encoding: 'utf8' })).toContain('kept the existing');
      expect(read(path.relative(REPO_ROOT, path.join(scratch, 'cert.pem')))).toBe(before);
    },
  );

  it('writes into a git-ignored folder by default', () => {
    expect(read('docker/nginx/certs/.gitignore').split('\n')).toEqual(
      expect.arrayContaining(['*', '!.gitignore']),
    );
    const check = spawnSync('git', ['check-ignore', '-q', 'docker/nginx/certs/key.pem'], {
      cwd: REPO_ROOT,
    });
    expect(check.status).toBe(0);
  });
});
