import type { WorkflowExecutionInfo } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchAttributes, type RunKind } from '../../src/temporal/names.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
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
