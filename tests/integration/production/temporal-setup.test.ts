/**
 * docker/temporal/setup.sh, the compose job that prepares a self-hosted Temporal, run for
 * real with the Temporal CLI against the local server: on a namespace of its own it creates
 * the namespace and the order search attributes, and a second run changes nothing.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import { SEARCH_ATTRIBUTES } from '../../../src/contract/orders';
import { installedTemporalCli } from '../../../src/stack/install/temporal-cli';
import { REPO_ROOT } from './support/nginx';

const config = loadConfig();
const cli = process.env.TEMPORAL_CLI_PATH || installedTemporalCli();

async function temporalAnswers(): Promise<boolean> {
  try {
    const connection = await Connection.connect({
      address: config.TEMPORAL_ADDRESS,
      connectTimeout: '2s',
    });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

const skipReason = !cli
  ? 'the Temporal CLI is not installed (npm test installs it)'
  : !(await temporalAnswers())
    ? `Temporal does not answer at ${config.TEMPORAL_ADDRESS}`
    : '';

describe.skipIf(skipReason !== '')(
  `docker/temporal/setup.sh${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    const namespace = `setup-sh-${randomUUID().slice(0, 8)}`;
    // The script calls `temporal`, as in the admin-tools image: put the CLI on the PATH.
    const bin = mkdtempSync(path.join(tmpdir(), 'temporal-cli-'));
    if (cli) symlinkSync(cli, path.join(bin, 'temporal'));
    const env = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: namespace,
      NAMESPACE_RETENTION: '24h',
    };
    const runSetup = () =>
      spawnSync('sh', [path.join(REPO_ROOT, 'docker/temporal/setup.sh')], {
        env,
        encoding: 'utf8',
        timeout: 120_000,
      });

    afterAll(() => {
      spawnSync(cli!, ['operator', 'namespace', 'delete', '--namespace', namespace, '--yes'], {
        env,
        encoding: 'utf8',
        timeout: 30_000,
      });
      rmSync(bin, { recursive: true, force: true });
    });

    it('creates the namespace and registers OrderStatus, CustomerId and OrderTotal', async () => {
      const first = runSetup();
      expect(first.status, `${first.stdout}\n${first.stderr}`).toBe(0);
      expect(first.stdout).toContain(`creating namespace ${namespace}`);

      const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
      try {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({
          namespace,
        });
        const { IndexedValueType } = temporal.api.enums.v1;
        const expected = {
          Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
          Double: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
        };
        for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
          expect(customAttributes?.[name], name).toBe(expected[type]);
        }
      } finally {
        await connection.close();
      }
    });

    it('changes nothing when run again', () => {
      const again = runSetup();
      expect(again.status, `${again.stdout}\n${again.stderr}`).toBe(0);
      expect(again.stdout).toContain(`namespace ${namespace} exists`);
      for (const name of Object.keys(SEARCH_ATTRIBUTES)) {
        expect(again.stdout).toContain(`search attribute ${name} exists`);
      }
    });
  },
);
