/**
 * Just enough of Docker Compose to check our compose files without a Docker engine: parse
 * (YAML with anchors and merge keys), interpolate `${VAR}` forms the way Compose does, and
 * merge an override file into a base file by the Compose specification's rules (mappings
 * merged, sequences appended, environment and depends_on merged by key, command/entrypoint/
 * healthcheck.test replaced).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');

export interface Healthcheck {
  test?: string | string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
}

export interface DependsOn {
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
}

export interface Service {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null>;
  env_file?: string[];
  ports?: string[];
  expose?: string[];
  healthcheck?: Healthcheck;
  depends_on?: Record<string, DependsOn>;
  networks?: string[];
  volumes?: string[];
  secrets?: string[];
  restart?: string;
  profiles?: string[];
  read_only?: boolean;
  deploy?: {
    replicas?: number;
    resources?: {
      limits?: { cpus?: string | number; memory?: string };
      reservations?: { cpus?: string | number; memory?: string };
    };
  };
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, Service>;
  networks?: Record<string, { driver?: string; internal?: boolean } | null>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file?: string }>;
  [key: string]: unknown;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Parses a compose file as YAML (anchors, aliases and `<<` merge keys resolved). */
export function readComposeYaml(file: string): Record<string, Json> {
  return parse(readFileSync(path.resolve(REPO_ROOT, file), 'utf8'), { merge: true }) as Record<
    string,
    Json
  >;
}

/** Thrown for `${VAR:?message}` when VAR is unset or empty, like Compose does. */
export class MissingVariableError extends Error {
  override name = 'MissingVariableError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}/g;

/** Compose's interpolation of one string: $$, ${VAR}, ${VAR:-default}, ${VAR:?error}. */
export function interpolateString(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(VARIABLE, (match, name: string | undefined, op?: string, arg = '') => {
    if (match === '$$') return '$';
    const current = env[name!];
    const unset = current === undefined || (op?.startsWith(':') === true && current === '');
    if (op === ':-' || op === '-') return unset ? interpolateString(arg, env) : current!;
    if (op === ':?' || op === '?') {
      if (unset) throw new MissingVariableError(name!, arg);
      return current!;
    }
    return current ?? '';
  });
}

function interpolate(value: Json, env: Readonly<Record<string, string>>): Json {
  if (typeof value === 'string') return interpolateString(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  }
  return value;
}

function toEnvironmentMap(value: Json | undefined): Record<string, string | null> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value)) {
    return Object.fromEntries(
      value.map((entry) => {
        const text = String(entry);
        const index = text.indexOf('=');
        return index < 0 ? [text, null] : [text.slice(0, index), text.slice(index + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, Json>).map(([k, v]) => [
      k,
      v === null ? null : String(v),
    ]),
  );
}

function toDependsOn(value: Json | undefined): Record<string, DependsOn> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value)) {
    return Object.fromEntries(
      value.map((name) => [String(name), { condition: 'service_started' }]),
    );
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, { condition?: DependsOn['condition'] }>).map(
      ([k, v]) => [k, { condition: v?.condition ?? 'service_started' }],
    ),
  );
}

function toList(value: Json | undefined): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  }
  if (typeof value === 'object') return Object.keys(value);
  return [String(value)];
}

/** One service in a canonical shape: maps for environment and depends_on, lists elsewhere. */
function normalizeService(raw: Record<string, Json>): Service {
  const service: Record<string, unknown> = { ...raw };
  service.environment = toEnvironmentMap(raw.environment);
  service.depends_on = toDependsOn(raw.depends_on);
  for (const key of ['networks', 'ports', 'expose', 'volumes', 'env_file', 'secrets', 'profiles']) {
    const list = toList(raw[key]);
    if (list) service[key] = list;
  }
  if (raw.secrets && Array.isArray(raw.secrets)) {
    service.secrets = raw.secrets.map((s) =>
      typeof s === 'string' ? s : String((s as { source: string }).source),
    );
  }
  return service as Service;
}

/** Parses, interpolates and normalizes one compose file. */
export function loadCompose(file: string, env: Readonly<Record<string, string>> = {}): ComposeFile {
  const doc = interpolate(readComposeYaml(file), env) as Record<string, Json>;
  const services = Object.fromEntries(
    Object.entries((doc.services ?? {}) as Record<string, Record<string, Json>>).map(
      ([name, raw]) => [name, normalizeService(raw)],
    ),
  );
  return { ...(doc as Record<string, unknown>), services } as ComposeFile;
}

const REPLACED = new Set(['command', 'entrypoint', 'image', 'build', 'restart', 'read_only']);
const UNIQUE_BY_TARGET = new Set(['volumes']);

function mergeValue(key: string, base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (base === undefined || REPLACED.has(key)) return override;
  if (key === 'environment' || key === 'depends_on') {
    return { ...(base as object), ...(override as object) };
  }
  if (key === 'healthcheck') return { ...(base as object), ...(override as object) };
  if (Array.isArray(base) && Array.isArray(override)) {
    if (UNIQUE_BY_TARGET.has(key)) {
      const target = (v: unknown) => String(v).split(':')[1] ?? String(v);
      const kept = base.filter((b) => !override.some((o) => target(o) === target(b)));
      return [...kept, ...override];
    }
    return [...base, ...override.filter((o) => !base.includes(o))];
  }
  if (isObject(base) && isObject(override)) {
    const merged: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) merged[k] = mergeValue(k, base[k], v);
    return merged;
  }
  return override;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `docker compose -f base -f override`: the override merged into the base. */
export function mergeCompose(base: ComposeFile, override: ComposeFile): ComposeFile {
  const merged = mergeValue('', base, override) as ComposeFile;
  merged.services = Object.fromEntries(
    [...new Set([...Object.keys(base.services), ...Object.keys(override.services)])].map((name) => [
      name,
      mergeValue('', base.services[name], override.services[name]) as Service,
    ]),
  );
  return merged;
}

/** KEY=value lines of an env file (comments and blank lines skipped). */
export function readEnvFile(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path.resolve(REPO_ROOT, file), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#') && line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** The string form of a healthcheck test, for assertions. */
export function healthcheckCommand(check: Healthcheck | undefined): string {
  if (!check?.test) return '';
  return Array.isArray(check.test) ? check.test.join(' ') : check.test;
}
