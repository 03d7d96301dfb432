import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { workflowIds } from '../../src/temporal/names.js';
import { backupWatchdog } from '../../src/workflows/backup-watchdog.js';
import { deployLock, deployLockQuery, unlockSignal } from '../../src/workflows/deploy-lock.js';
import { approveUpdate } from '../../src/workflows/deploy-signals.js';
import { pruneStage } from '../../src/workflows/prune-stage.js';
import { reencryptBackups } from '../../src/workflows/reencrypt-backups.js';
import { nightlyBackup } from '../../src/workflows/nightly-backup.js';
import { restoreBackup } from '../../src/workflows/restore-backup.js';
import { restoreDrill } from '../../src/workflows/restore-drill.js';
import { restoreFiles } from '../../src/workflows/restore-files.js';
import { rollbackStage } from '../../src/workflows/rollback-stage.js';
import { scheduledDeploy } from '../../src/workflows/scheduled-deploy.js';
import { verifyBackupRun } from '../../src/workflows/verify-backup.js';
import { encryptionFor, makeAgeKey } from '../support/age-keys.js';
import { makeBackupFixture } from '../support/backup-fixture.js';
import { DEPLOY_TEST_TIMEOUT_MS, deployFailure, deployWorldForTest, startDeploy } from '../support/deploy-world.js';
import { failedAfterMigration } from '../support/failed-migration.js';
import { dropRestoredDatabases, targetsAsAdmin } from '../support/restored-databases.js';
import { startTestWorker } from '../support/test-worker.js';
import { HISTORIES_DIR, historyText } from '../support/saved-histories.js';

/**
 * `npm run histories:save`: runs every exported workflow on the test servers, through the same
 * worlds as the workflow tests, and saves each run's history as test/fixtures/histories/<name>.json
 * for replay-histories.test.ts. Not a test file (no .test.ts): `npm test` never runs it, since saved
 * histories change only on purpose; vitest runs it as the `histories` project, which exists only
 * under OPS_SAVE_HISTORIES=1 (vitest.config.ts).
 */

async function saveHistory(client: Client, name: string, workflowId: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await mkdir(HISTORIES_DIR, { recursive: true });
  await writeFile(join(HISTORIES_DIR, `${name}.json`), historyText(history));
}

describe('save one history per workflow type', { timeout: DEPLOY_TEST_TIMEOUT_MS }, () => {
  it('backups: nightlyBackup and its backupTarget, verifyBackupRun, restoreDrill, restoreBackup, restoreFiles, backupWatchdog', async ({ onTestFinished }) => {
    const fixture = await makeBackupFixture({ offsite: 'ssh', edit: targetsAsAdmin });
    const worker = await startTestWorker(fixture.config);
    const restoreDir = await mkdtemp(join(tmpdir(), 'ops-histories-files-'));
    onTestFinished(async () => {
      await worker.stop();
      for (const engine of ['postgres', 'mysql'] as const) await dropRestoredDatabases(engine, fixture.id);
      await fixture.cleanup();
      await rm(restoreDir, { recursive: true, force: true });
    });
    const { client, taskQueue } = worker;
    /** Runs a workflow to its end under a fresh id, then saves its history as `name`. */
    const run = async <R>(name: string, execute: (options: { taskQueue: string; workflowId: string }) => Promise<R>): Promise<R> => {
      const workflowId = worker.workflowId(name);
      const result = await execute({ taskQueue, workflowId });
      await saveHistory(client, name, workflowId);
      return result;
    };
    const { postgres, files } = fixture.targets;

    const nightly = await run('nightlyBackup', (o) => client.workflow.execute(nightlyBackup, { ...o, args: [{ targets: [postgres, files] }] }));
    await saveHistory(client, 'backupTarget', workflowIds.backupTarget(postgres));
    const backupId = nightly.targets.find((t) => t.target === postgres)!.backupId!;
    await run('verifyBackupRun', (o) => client.workflow.execute(verifyBackupRun, { ...o, args: [{ backupId }] }));
    await run('restoreDrill', (o) => client.workflow.execute(restoreDrill, { ...o, args: [{ target: postgres, pick: 'latest' }] }));
    await run('restoreBackup', (o) => client.workflow.execute(restoreBackup, { ...o, args: [{ target: postgres, pick: { latest: true }, stamp: '20300101T000000Z' }] }));
    await run('restoreFiles', (o) => client.workflow.execute(restoreFiles, { ...o, args: [{ target: files, pick: { latest: true }, to: restoreDir }] }));
    await run('backupWatchdog', (o) => client.workflow.execute(backupWatchdog, { ...o, args: [] }));
  });

  it('deploys: deployPipeline (succeeded, and rolled back), rollbackStage, scheduledDeploy', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);
    const { fixture, worker } = world;
    const { client, taskQueue } = worker;
    const app = fixture.app;
    const save = (name: string, workflowId: string) => saveHistory(client, name, workflowId);

    const firstRun = await startDeploy(world, { ref: 'main', stages: ['staging'] });
    const first = (await firstRun.result()).sha;
    await save('deployPipeline', firstRun.workflowId);

    await fixture.repo.commit('version 2', { VERSION: '2.0.0\n' });
    const scheduledId = worker.workflowId('scheduled-deploy');
    const scheduled = await client.workflow.execute(scheduledDeploy, { taskQueue, workflowId: scheduledId, args: [{ app, ref: 'main', stages: ['staging'], startedBy: 'schedule' }] });
    expect(scheduled).toMatchObject({ outcome: 'succeeded' });
    await save('scheduledDeploy', scheduledId);

    const rollbackId = `${workflowIds.deploy(app)}-${worker.workflowId('rollback')}`;
    await client.workflow.execute(rollbackStage, { taskQueue, workflowId: rollbackId, args: [{ app, stage: 'staging', to: first, startedBy: 'test' }] });
    await save('rollbackStage', rollbackId);

    await fixture.repo.commit('smoke fails', { SMOKE_FAIL: 'forced\n', VERSION: '3.0.0-smoke\n' });
    const failing = await startDeploy(world, { ref: 'main', stages: ['staging'] });
    expect((await deployFailure(failing)).outcome).toBe('rolled-back');
    await save('deployPipeline-rolled-back', failing.workflowId);

    const lockId = `${workflowIds.deploy(app)}-${worker.workflowId('lock')}`;
    const lock = await client.workflow.start(deployLock, { taskQueue, workflowId: lockId, args: [{ app, by: 'test', reason: 'saving its history' }] });
    expect(await lock.query(deployLockQuery)).toMatchObject({ app, by: 'test' });
    await lock.signal(unlockSignal, { by: 'test' });
    expect(await lock.result()).toMatchObject({ unlockedBy: 'test' });
    await save('deployLock', lockId);
  });

  it('deployPipeline-migrated-restored: a migrating deploy (pre-deploy backup child, migrate) that fails its health gate, rolls back and restores the database once approved', async ({ onTestFinished }) => {
    const { world, handle } = await failedAfterMigration(onTestFinished);
    await handle.executeUpdate(approveUpdate, { args: [{ approved: true, by: 'test', restoreDb: true, reason: 'saving its history' }] });
    expect((await deployFailure(handle)).outcome).toBe('rolled-back');
    await saveHistory(world.worker.client, 'deployPipeline-migrated-restored', handle.workflowId);
  });

  it('pruneStage: one deployed release, nothing to remove', async ({ onTestFinished }) => {
    const world = await deployWorldForTest({}, onTestFinished);
    const { client, taskQueue } = world.worker;
    await (await startDeploy(world, { ref: 'main', stages: ['staging'] })).result();
    const pruneId = `${workflowIds.deploy(world.fixture.app)}-${world.worker.workflowId('prune')}`;
    expect(await client.workflow.execute(pruneStage, { taskQueue, workflowId: pruneId, args: [{ app: world.fixture.app, stage: 'staging', keep: 2, dryRun: false }] })).toMatchObject({ removed: [] });
    await saveHistory(client, 'pruneStage', pruneId);
  });

  it('reencryptBackups: one encrypted backup re-wrapped for a new recipient', async ({ onTestFinished }) => {
    const keysDir = await mkdtemp(join(tmpdir(), 'ops-histories-keys-'));
    const [key, next] = [await makeAgeKey(keysDir, 'old'), await makeAgeKey(keysDir, 'new')];
    const fixture = await makeBackupFixture({ offsite: 'none', edit: (doc) => (doc.backup.encryption = encryptionFor([key], key)) });
    const dumping = await startTestWorker(fixture.config);
    onTestFinished(async () => {
      await fixture.cleanup();
      await rm(keysDir, { recursive: true, force: true });
    });
    const target = fixture.targets.postgres;
    await dumping.client.workflow.execute(nightlyBackup, { taskQueue: dumping.taskQueue, workflowId: dumping.workflowId('nightly'), args: [{ targets: [target] }] });
    await dumping.stop();

    const rotated = { ...fixture.config, backup: { ...fixture.config.backup, encryption: { ...fixture.config.backup.encryption!, recipients: [next.recipient] } } };
    const worker = await startTestWorker(rotated);
    onTestFinished(() => worker.stop());
    const workflowId = worker.workflowId('reencrypt');
    const results = await worker.client.workflow.execute(reencryptBackups, { taskQueue: worker.taskQueue, workflowId, args: [{ target }] });
    expect(results).toHaveLength(1);
    await saveHistory(worker.client, 'reencryptBackups', workflowId);
  });
});
