/**
 * Apache Kafka, assembled from Maven Central: the pom in src/stack/kafka/ names the broker
 * artifact, and `mvn dependency:copy-dependencies` gathers it and every runtime dependency
 * into one libs/ folder under the cache. That folder is the whole "distribution": the broker
 * runs as `java -cp 'libs/*' kafka.Kafka server.properties`.
 *
 * The pom is copied into the cache and Maven runs there, so no target/ folder appears in
 * the source tree. The jars are gathered into a scratch folder and renamed into place, and a
 * stamp records the hash of the pom they came from: a finished install is reused as is, an
 * interrupted one is redone, and editing the pom (a new version) fetches again.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { CACHE_DIR, STACK_SOURCE_DIR } from '../paths';
import { run, which } from '../shell';
import { installDebianPackages } from './apt';

export const KAFKA_VERSION = '4.3.1';

const POM = path.join(STACK_SOURCE_DIR, 'kafka', 'pom.xml');
const DIST_DIR = path.join(CACHE_DIR, `kafka-${KAFKA_VERSION}`);
export const KAFKA_LIBS = path.join(DIST_DIR, 'libs');
const STAMP = path.join(DIST_DIR, '.pom-sha256');

/** Makes sure Java, and the broker's jars, are present. Returns the path of `java`. */
export async function ensureKafkaDistribution(): Promise<string> {
  const java = await ensureJava();
  if (isInstalled()) return java;
  if (!which('mvn')) await installDebianPackages(['maven']);
  mkdirSync(DIST_DIR, { recursive: true });
  const pom = path.join(DIST_DIR, 'pom.xml');
  copyFileSync(POM, pom);
  const scratch = path.join(DIST_DIR, 'libs.partial');
  rmSync(scratch, { recursive: true, force: true });
  await run('mvn', [
    '-q',
    '-B',
    '-f',
    pom,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${scratch}`,
    '-DincludeScope=runtime',
  ]);
  rmSync(KAFKA_LIBS, { recursive: true, force: true });
  renameSync(scratch, KAFKA_LIBS);
  writeFileSync(STAMP, `${pomHash()}\n`);
  return java;
}

function isInstalled(): boolean {
  return (
    existsSync(STAMP) && existsSync(KAFKA_LIBS) && readFileSync(STAMP, 'utf8').trim() === pomHash()
  );
}

function pomHash(): string {
  return createHash('sha256').update(readFileSync(POM)).digest('hex');
}

/** Kafka 4 needs Java 17 or later: Debian 12's openjdk-17 is the one installed when missing. */
async function ensureJava(): Promise<string> {
  const existing = which('java');
  if (existing) return existing;
  await installDebianPackages(['openjdk-17-jre-headless']);
  return which('java') ?? '/usr/bin/java';
}
