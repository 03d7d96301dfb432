import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillWorkDir } from '../../src/activities/drill/drill-activities.js';
import type { OpsConfig } from '../../src/config/load-config.js';
import { stampOf } from '../../src/core/backup-id.js';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { workflowIds } from '../../src/temporal/names.js';
import { deployPipeline } from '../../src/workflows/deploy-pipeline.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { restoreBackup } from '../../src/workflows/restore-backup.js';
import { restoreDrill } from '../../src/workflows/restore-drill.js';
import { activityRuns } from '../support/activity-history.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { dropRestoredDatabases, rowCounts, targetsAsAdmin } from '../support/restored-databases.js';
import { currentRelease, healthOf } from '../support/deploy-assertions.js';
import { editedConfig } from '../support/deploy-world.js';
import { makeDeployFixture, type DeployFixture } from '../support/deploy-fixture.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';
import { leftoverVerifyDatabases } from '../support/verify-databases.js';

const IDENTITIES = ['worker-a', 'worker-b'] as const;

/** Every payload of a run's activities (inputs and results), decoded. */
async function activityPayloads(worker: TestWorker, workflowId: string): Promise<string[]> {
  const events = (await worker.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const payloads = events.flatMap((e) => [...(e.activityTaskScheduledEventAttributes?.input?.payloads ?? []), ...(e.activityTaskCompletedEventAttributes?.result?.payloads ?? [])]);
  return payloads.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8'));
}

/** Which worker ran each activity of these runs, as their histories say. */
async function workersOf(worker: TestWorker, workflowIds: string[]): Promise<Set<string | undefined>> {
  const runs = (await Promise.all(workflowIds.map((id) => activityRuns(worker.client, id)))).flat();
  expect(runs.every((run) => run.outcome === 'completed')).toBe(true);
  return new Set(runs.map((run) => run.identity));
}

/**
 * Two workers on ONE task queue, each with its own state dir (the repository is shared: it is on
 * the repository host). Whichever worker takes each step, every pipeline passes: no activity finds
 * its input on the disk of the worker that ran the step before it.
 */
describe('two workers with separate working directories on one task queue', () => {
  let backup: BackupFixture;
  let deploy: DeployFixture;
  const workers: TestWorker[] = [];
  const ranOn = new Set<string | undefined>();

  const pair = async (configA: OpsConfig, configB: OpsConfig): Promise<TestWorker> => {
    const a = await startTestWorker(configA, { identity: IDENTITIES[0] });
    workers.push(a, await startTestWorker(configB, { identity: IDENTITIES[1], taskQueue: a.taskQueue }));
    return a;
  };

  beforeAll(async () => {
    backup = await makeBackupFixture({ offsite: 'ssh', edit: targetsAsAdmin });
    deploy = await makeDeployFixture();
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    if (backup) await dropRestoredDatabases('mysql', backup.id);
    await backup?.cleanup();
    await deploy?.cleanup();
  });

  it('the chain, the drill and the restore pass, with steps taken by both workers', async () => {
    const worker = await pair(backup.config, { ...backup.config, stateDir: join(backup.dir, 'state-b') });
    const run = { taskQueue: worker.taskQueue };
    const targets = Object.values(backup.targets);

    const nightlyId = worker.workflowId('nightly');
    const nightly = await worker.client.workflow.execute(nightlyBackup, { ...run, workflowId: nightlyId, args: [{}] });
    expect(nightly.targets.map((t) => [t.target, t.error])).toEqual(targets.map((t) => [t, undefined]));
    for (const id of await workersOf(worker, [nightlyId, ...targets.map(workflowIds.backupTarget)])) ranOn.add(id);

    const repository = new BackupRepository(backup.config.repository);
    for (const target of targets) expect((await repository.list(target))[0]?.verify?.status).toBe('passed');

    const drillId = worker.workflowId('drill');
    const drill = await worker.client.workflow.execute(restoreDrill, { ...run, workflowId: drillId, args: [{ target: backup.targets.postgres, pick: 'latest' }] });
    expect(drill).toMatchObject({ target: backup.targets.postgres, status: 'passed', reasons: [] });
    expect(existsSync(drillWorkDir(backup.config, drill.id))).toBe(false);
    // History carries the copy's place, size and checksum, never its manifest (toolVersions is in every manifest).
    const drillPayloads = await activityPayloads(worker, drillId);
    expect(drillPayloads.some((p) => p.includes(drill.backupId!))).toBe(true);
    expect(drillPayloads.filter((p) => p.includes('toolVersions'))).toEqual([]);
    for (const id of await workersOf(worker, [drillId])) ranOn.add(id);

    const restoreId = worker.workflowId('restore');
    const restored = await worker.client.workflow.execute(restoreBackup, { ...run, workflowId: restoreId, args: [{ target: backup.targets.mysql, pick: { latest: true }, stamp: stampOf(new Date()) }] });
    expect(restored).toMatchObject({ target: backup.targets.mysql, status: 'passed', kept: true, reasons: [] });
    expect(await rowCounts('mysql', restored.database!)).toEqual(await rowCounts('mysql', backup.myDatabase));
    for (const id of await workersOf(worker, [restoreId])) ranOn.add(id);
    expect(await leftoverVerifyDatabases(backup.id)).toEqual([]);
  });

  it('a deploy to staging and prod passes, each step finding the export by app + SHA on its own worker', async () => {
    const configB = await editedConfig(deploy, (doc) => {
      doc.stateDir = join(deploy.dir, 'state-b');
    });
    const worker = await pair(deploy.config, configB);
    const sha = await deploy.repo.sha('main');
    const workflowId = `${workflowIds.deploy(deploy.app)}-${worker.workflowId('t')}`;
    const result = await worker.client.workflow.execute(deployPipeline, { taskQueue: worker.taskQueue, workflowId, args: [{ app: deploy.app, ref: 'main', startedBy: 'test' }] });
    expect(result).toMatchObject({ sha, outcome: 'succeeded' });
    for (const stage of Object.values(deploy.stages)) {
      expect(currentRelease(stage.root)).toBe(`releases/${sha}`);
      expect(await healthOf(stage.baseUrl)).toMatchObject({ http: 200, release: sha });
    }
    // A worker that synced or smoke-tested without having made the export made its own.
    const runs = await activityRuns(worker.client, workflowId);
    for (const run of runs.filter((r) => r.activity === 'syncRelease' || r.activity === 'runSmoke')) {
      const stateDir = run.identity === IDENTITIES[0] ? deploy.config.stateDir : configB.stateDir;
      expect(existsSync(join(stateDir, 'releases', deploy.app, sha, 'server.js'))).toBe(true);
    }
    for (const id of await workersOf(worker, [workflowId])) ranOn.add(id);
  });

  it('both workers took part', () => {
    expect([...ranOn].sort()).toEqual([...IDENTITIES]);
  });
});
