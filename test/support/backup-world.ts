import { readdir } from 'node:fs/promises';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { expect, onTestFinished } from 'vitest';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { nightlyBackup, type NightlyBackupInput, type NightlyBackupResult } from '../../src/workflows/nightly-backup.js';
import { verifyBackupRun } from '../../src/workflows/verify-backup.js';
import { makeBackupFixture, type BackupFixture, type FixtureOptions } from './backup-fixture.js';
import { startTestWorker, type TestWorker } from './test-worker.js';

export interface BackupWorld {
  fixture: BackupFixture;
  worker: TestWorker;
  repository: BackupRepository;
}

/**
 * A fixture and a worker of its own for one test, both stopped and removed when the test
 * finishes, pass or fail. Offsite copies are off unless asked for: these tests are about the
 * dump and verify steps, and rsync would only add time.
 */
export async function backupWorldForTest(options: FixtureOptions = {}, workerOptions: { uiUrl?: string } = {}): Promise<BackupWorld> {
  const fixture = await makeBackupFixture({ offsite: 'none', ...options });
  let worker: TestWorker | undefined;
  onTestFinished(async () => {
    await worker?.stop();
    await fixture.cleanup();
  });
  worker = await startTestWorker(fixture.config, workerOptions);
  return { fixture, worker, repository: new BackupRepository(fixture.config.repository) };
}

export async function runNightly(world: BackupWorld, input: NightlyBackupInput = {}): Promise<{ workflowId: string; result: NightlyBackupResult }> {
  const workflowId = world.worker.workflowId('nightly');
  const result = await world.worker.client.workflow.execute(nightlyBackup, { taskQueue: world.worker.taskQueue, workflowId, args: [input] });
  return { workflowId, result };
}

/** Runs the nightly chain, which must fail; returns the ApplicationFailure the workflow failed with. */
export async function runNightlyExpectingFailure(world: BackupWorld, input: NightlyBackupInput = {}): Promise<{ workflowId: string; failure: ApplicationFailure }> {
  const workflowId = world.worker.workflowId('nightly');
  const run = world.worker.client.workflow.execute(nightlyBackup, { taskQueue: world.worker.taskQueue, workflowId, args: [input] });
  return { workflowId, failure: await workflowFailure(run) };
}

/** Runs verifyBackupRun for one backup, which must fail; returns the ApplicationFailure. */
export async function runVerifyExpectingFailure(world: BackupWorld, backupId: string): Promise<ApplicationFailure> {
  const workflowId = world.worker.workflowId('verify');
  return workflowFailure(world.worker.client.workflow.execute(verifyBackupRun, { taskQueue: world.worker.taskQueue, workflowId, args: [{ backupId }] }));
}

async function workflowFailure(run: Promise<unknown>): Promise<ApplicationFailure> {
  const error: unknown = await run.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

/** Names in a directory; none when it does not exist. */
export async function namesIn(dir: string): Promise<string[]> {
  return readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
}
