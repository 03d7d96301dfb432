import { randomBytes } from 'node:crypto';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import { execa } from 'execa';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchAttributes, type RunKind } from '../../src/temporal/names.js';
import { checkSearchAttributes, searchAttributeProblem } from '../../src/temporal/search-attribute-check.js';
import { findTemporalBinary } from '../../src/temporal/temporal-binary.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { runCli } from '../support/run-cli.js';
import { testServers } from '../support/servers.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The search attributes are what makes ops runs filterable in the Temporal UI and `temporal
 * workflow list`: a nightly run and its per-target child are found by target and run kind.
 * Fixture target names are unique, so the namespace-wide queries see only this file's runs.
 */
describe('search attributes of a nightly backup run', () => {
  let fixture: BackupFixture;
  let worker: TestWorker;

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none' });
    worker = await startTestWorker(fixture.config);
  });
  afterAll(async () => {
    await worker?.stop();
    await fixture?.cleanup();
  });

  it('finds the run by OpsTarget and OpsRunKind, and its target child by OpsRunKind backup-target', async () => {
    const target = fixture.targets.files;
    const workflowId = worker.workflowId('search-attributes');
    await worker.client.workflow.execute(nightlyBackup, { taskQueue: worker.taskQueue, workflowId, args: [{ targets: [target] }] });

    const runs = await listed(`${searchAttributes.target.name} = "${target}" AND ${searchAttributes.runKind.name} = "${'nightly-backup' satisfies RunKind}"`, 1);
    expect(runs.map((run) => run.workflowId)).toEqual([workflowId]);
    expect(runs[0]!.typedSearchAttributes.get(searchAttributes.target)).toEqual([target]);

    const children = await listed(`${searchAttributes.target.name} = "${target}" AND ${searchAttributes.runKind.name} = "${'backup-target' satisfies RunKind}"`, 1);
    expect(children.map((child) => child.parentExecution?.workflowId)).toEqual([workflowId]);

    // Only the target it backed up: the fixture's other targets were not part of this run.
    expect(await listed(`${searchAttributes.target.name} = "${fixture.targets.postgres}"`, 0)).toEqual([]);
  });

  /** Visibility trails the run's close by a moment on the dev server: poll until `count` runs show. */
  async function listed(query: string, count: number): Promise<WorkflowExecutionInfo[]> {
    let runs: WorkflowExecutionInfo[] = [];
    await waitFor(`${count} run(s) matching ${query}`, async () => {
      runs = [];
      for await (const run of worker.client.workflow.list({ query })) runs.push(run);
      return runs.length === count;
    }, 10_000, 250);
    return runs;
  }
});

/** A worker on a namespace without ops' search attributes would poll while every run it takes fails: it refuses to start. */
describe('a worker checks the namespace has ops\' search attributes', () => {
  it.each<[string, Record<string, number>, string | undefined]>([
    ['all five, with their types (Keyword 2, KeywordList 7)', { OpsTarget: 7, OpsRunKind: 2, OpsApp: 2, OpsStage: 2, OpsRef: 2, Other: 1 }, undefined],
    ['none: one command per type', {}, 'namespace "ns" has no OpsTarget (KeywordList), OpsRunKind (Keyword), OpsApp (Keyword), OpsStage (Keyword), OpsRef (Keyword): every ops run sets them, and the server fails a run that sets one it does not know; register them once: temporal operator search-attribute create --namespace ns --name OpsTarget --type KeywordList && temporal operator search-attribute create --namespace ns --name OpsRunKind --name OpsApp --name OpsStage --name OpsRef --type Keyword'],
    ['one mistyped', { OpsTarget: 2, OpsRunKind: 2, OpsApp: 2, OpsStage: 2, OpsRef: 2 }, 'namespace "ns" has OpsTarget with another type than KeywordList: every ops run sets them, and the server fails a run that sets one it does not know'],
  ])('%s', (_, registered, problem) => {
    expect(searchAttributeProblem('ns', registered)).toBe(problem);
  });

  it('on the real dev server: the namespace the tests use passes; a fresh namespace makes ops worker exit 2 naming what to register, before it polls', async () => {
    const { temporalAddress } = testServers();
    const connection = await NativeConnection.connect({ address: temporalAddress });
    const namespace = `bare-${randomBytes(3).toString('hex')}`;
    try {
      await expect(checkSearchAttributes(connection, 'default')).resolves.toBeUndefined();
      const created = await execa(findTemporalBinary(), ['operator', 'namespace', 'create', '--namespace', namespace, '--address', temporalAddress], { reject: false, all: true });
      expect(created.exitCode, created.all).toBe(0);
      // A new namespace is served once the frontend's cache has it (seconds): until then listing its attributes fails, and the check is skipped.
      await waitFor(`namespace ${namespace} served`, () => connection.operatorService.listSearchAttributes({ namespace }).then(() => true, () => false), 30_000, 250);
    } finally {
      await connection.close();
    }
    const fixture = await makeBackupFixture({ offsite: 'none' });
    try {
      const result = await runCli(['--config', fixture.configFile, 'worker'], { ...fixture.env, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_NAMESPACE: namespace, OPS_TASK_QUEUE: `sa-${namespace}` });
      expect(result.exitCode).toBe(2);
      expect(result.stderr.trim()).toBe(`error: ${searchAttributeProblem(namespace, {})}`);
      expect(result.stdout).not.toContain('worker polling');
    } finally {
      await fixture.cleanup();
    }
  });
});
