/**
 * The process images (docker/<process>/Dockerfile), checked without building them: each is
 * multi-stage, runs as a non-root user, starts its own entry point and checks its own health,
 * and contains every source file and production dependency its entry point loads: a file
 * left out of a COPY, or a runtime import of a devDependency, fails here rather than at the
 * first start of a container.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/compose';
import {
  copiedPaths,
  dockerignoreFilter,
  finalStage,
  importGraph,
  parseDockerfile,
} from './support/images';

interface ImageSpec {
  entry: string;
  port: string;
  health: string;
  /** Files read at run time that no import reaches (the migrate job's migrations, ...). */
  extraEntries?: string[];
  extraFolders?: string[];
}

const IMAGES: Record<string, ImageSpec> = {
  api: {
    entry: 'src/cli/api.ts',
    port: '8000',
    health: 'http://127.0.0.1:8000/health/live',
    // The migrate and seed jobs run from the api image.
    extraEntries: [
      'db/migrate.ts',
      'db/seed.ts',
      ...readdirSync(path.join(REPO_ROOT, 'db/migrations')).map((f) => `db/migrations/${f}`),
    ],
  },
  gateway: { entry: 'src/cli/gateway.ts', port: '8001', health: 'http://127.0.0.1:8001/health' },
  worker: { entry: 'src/cli/worker.ts', port: '9464', health: 'http://127.0.0.1:9464/health' },
  dispatcher: {
    entry: 'src/cli/dispatcher.ts',
    port: '9465',
    health: 'http://127.0.0.1:9465/health',
  },
};

const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe.each(Object.entries(IMAGES))('the %s image', (name, spec) => {
  const dockerfile = `docker/${name}/Dockerfile`;
  const instructions = parseDockerfile(dockerfile);
  const stage = finalStage(instructions);
  const args = (keyword: string) => stage.filter((i) => i.keyword === keyword).map((i) => i.args);

  it('is built in stages: dependencies installed apart, without the dev ones', () => {
    expect(instructions.filter((i) => i.keyword === 'FROM').length).toBeGreaterThanOrEqual(2);
    const install = instructions.find((i) => i.keyword === 'RUN' && /npm ci/.test(i.args));
    expect(install?.args).toContain('--omit=dev');
    expect(args('COPY').some((a) => a.includes('--from=deps') && a.includes('node_modules'))).toBe(
      true,
    );
  });

  it('runs as a non-root user', () => {
    const user = args('USER').pop();
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
  });

  it('starts its entry point with tsx, exposes its port and checks its health there', () => {
    expect(existsSync(path.join(REPO_ROOT, spec.entry)), spec.entry).toBe(true);
    expect(JSON.parse(args('CMD').pop()!)).toEqual(['--import', 'tsx', spec.entry]);
    expect(args('EXPOSE').join(' ').split(/\s+/)).toContain(spec.port);
    const healthcheck = args('HEALTHCHECK').pop() ?? '';
    expect(healthcheck).toContain(spec.health);
    expect(healthcheck).toContain('docker/healthcheck.mjs');
  });

  it('has a build-context filter that keeps secrets and local state out', () => {
    const included = dockerignoreFilter(`${dockerfile}.dockerignore`);
    for (const kept of ['package.json', 'package-lock.json', spec.entry]) {
      expect(included(kept), kept).toBe(true);
    }
    for (const dropped of [
      'node_modules/zod/package.json',
      '.stack/keys/jwt-private.pem',
      '.env',
      'docker/secrets/production.env',
      'docker/nginx/certs/key.pem',
      'tests/unit/production/compose.test.ts',
    ]) {
      expect(included(dropped), dropped).toBe(false);
    }
  });

  it('contains every source file its entry point loads at run time', () => {
    const graph = importGraph([spec.entry, ...(spec.extraEntries ?? [])]);
    expect(graph.unresolved).toEqual([]);
    const copied = copiedPaths(stage);
    const included = dockerignoreFilter(`${dockerfile}.dockerignore`);
    const inImage = (file: string) =>
      included(file) && copied.some((c) => file === c || file.startsWith(`${c}/`));
    const missing = [...graph.files].filter((f) => !inImage(f));
    expect(missing, `files the ${name} process loads but the image lacks`).toEqual([]);
    for (const folder of [...graph.folders, ...(spec.extraFolders ?? [])]) {
      expect(inImage(`${folder}/index.html`) || inImage(`${folder}/x`), folder).toBe(true);
    }
    expect(graph.files.size).toBeGreaterThan(10);
  });

  it('needs only production dependencies at run time', () => {
    const graph = importGraph([spec.entry, ...(spec.extraEntries ?? [])]);
    const notProduction = [...graph.packages].filter((p) => !(p in manifest.dependencies));
    expect(notProduction, 'imported at run time but not in "dependencies"').toEqual([]);
    // tsx runs the TypeScript sources; without it the container cannot start.
    expect(manifest.dependencies).toHaveProperty('tsx');
  });
});

describe('the workers bundle their workflows at start', () => {
  it('so the worker and dispatcher images carry workflows/', () => {
    for (const name of ['worker', 'dispatcher']) {
      const graph = importGraph([IMAGES[name]!.entry]);
      expect(
        [...graph.files].some((f) => f.startsWith('workflows/')),
        name,
      ).toBe(true);
    }
  });
});

describe('docker/healthcheck.mjs', () => {
  it('is copied into every process image', () => {
    for (const name of Object.keys(IMAGES)) {
      const stage = finalStage(parseDockerfile(`docker/${name}/Dockerfile`));
      expect(copiedPaths(stage), name).toContain('docker/healthcheck.mjs');
    }
  });
});
