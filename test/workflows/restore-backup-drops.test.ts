import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { stampOf } from '../../src/core/backup-id.js';
import { keptDatabaseName, restoredDatabaseName } from '../../src/core/restore-pick.js';
import { backupTarget } from '../../src/workflows/backup-target.js';
import { restoreBackup } from '../../src/workflows/restore-backup.js';
import { activityRuns } from '../support/activity-history.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { addBulkPostgresTable } from '../support/bulk-table.js';
import { databasesNamed, dropRestoredDatabases, rowCounts, targetsAsAdmin } from '../support/restored-databases.js';
import { allJobsLoading, endCountingSession, holdScratchTables, RESTORE_JOBS, restoreProcesses } from '../support/scratch-restore.js';
import { startTestWorker, type TestWorker } from '../support/test-worker.js';
import { waitFor } from '../support/wait-for.js';

/** A restore that is cancelled, or whose checks fail, drops its restore_* scratch database and creates nothing under the final name. */
describe('restoreBackup drops what it created', () => {
  let fixture: BackupFixture;
  let worker: TestWorker;
  let repository: BackupRepository;

  beforeAll(async () => {
    fixture = await makeBackupFixture({
      offsite: 'none',
      edit: (doc) => {
        targetsAsAdmin(doc);
        doc.databases[1].assertions = [{ name: 'at least a million customers', sql: 'SELECT COUNT(*) FROM customers', min: 1_000_000 }];
      },
    });
    // Enough rows that pg_restore runs for seconds, longer than a cancel takes to reach the activity (its next heartbeat).
    await addBulkPostgresTable(fixture.pgDatabase, 2_000_000);
    worker = await startTestWorker(fixture.config);
    repository = new BackupRepository(fixture.config.repository);
    for (const target of [fixture.targets.postgres, fixture.targets.mysql]) {
      // The MariaDB target's verify fails on its assertion; the backup itself is kept.
      await worker.client.workflow
        .execute(backupTarget, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('backup'), args: [{ target, stamp: stampOf(new Date()), offsite: false }] })
        .catch(() => undefined);
    }
  });
  afterAll(async () => {
    await worker?.stop();
    if (fixture) for (const engine of ['postgres', 'mysql'] as const) await dropRestoredDatabases(engine, fixture.id);
    await fixture?.cleanup();
  });

  it('a cancel during pg_restore --jobs ends the run cancelled, leaves no pg_restore job running, drops the scratch database, creates no final one, and leaves the source as it was', async () => {
    const target = fixture.targets.postgres;
    const sourceRows = await rowCounts('postgres', fixture.pgDatabase);
    const stamp = '20300102T000000Z';
    const database = restoredDatabaseName(fixture.pgDatabase, stamp);
    const handle = await worker.client.workflow.start(restoreBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('restore'), args: [{ target, pick: { latest: true }, stamp }] });
    const scratchPrefix = `restore_${target.replace(/-/g, '_')}_`;
    const restoring = async () => (await execa('pgrep', ['-f', `pg_restore.*${scratchPrefix}`], { reject: false })).stdout.trim() !== '';
    // Its data section: the part that runs for seconds, so the cancel lands while it loads, with
    // every job pg_restore forks for it (processes the worker did not start itself).
    await waitFor('pg_restore and its jobs loading data into the scratch database', () => allJobsLoading(scratchPrefix), 60_000, 50);
    expect((await restoreProcesses(scratchPrefix)).every((p) => p.cmdline.includes(`--jobs=${RESTORE_JOBS}`))).toBe(true);
    // Holds the restore in place until the cancel has reached it (at the activity's next heartbeat):
    // on a fast machine the data section alone can end first. A table pg_restore has not loaded yet
    // blocks its COPY (a job waits on the lock: the case where jobs outlived a leader killed alone);
    // one already loaded blocks its indexes in post-data and the row count. The scratch database's
    // forced drop ends this session.
    const blocker = await holdScratchTables(scratchPrefix, ['companies', 'contacts', 'deals']);
    expect(await databasesNamed('postgres', database)).toEqual([]);
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    await blocker.end().catch(() => undefined);

    expect((await handle.describe()).status.name).toBe('CANCELLED');
    // The run waited for the restore step to clean up before it ended cancelled: the leader and its jobs are gone.
    expect(await restoring()).toBe(false);
    expect(await restoreProcesses(scratchPrefix)).toEqual([]);
    expect(await databasesNamed('postgres', database)).toEqual([]);
    expect(await databasesNamed('postgres', scratchPrefix)).toEqual([]);
    expect(await rowCounts('postgres', fixture.pgDatabase)).toEqual(sourceRows);
    const report = readFileSync(join(fixture.config.reports, `restore-${target}-${stamp}.md`), 'utf8');
    expect(report).toContain(`# Restore ${target}: CANCELLED`);
    expect(report).toContain(`- Into: new database \`${database}\` on `);
    expect(report).toContain('(dropped: the restore was cancelled)');
  });

  it('a counting session ended mid-restore fails the step, not the worker: the retry restores again, counted and checked', async () => {
    const target = fixture.targets.postgres;
    const stamp = '20300102T000003Z';
    const database = restoredDatabaseName(fixture.pgDatabase, stamp);
    const scratchPrefix = `restore_${target.replace(/-/g, '_')}_`;
    const workflowId = worker.workflowId('restore');
    const handle = await worker.client.workflow.start(restoreBackup, { taskQueue: worker.taskQueue, workflowId, args: [{ target, pick: { latest: true }, stamp }] });
    // The session that counts each table pg_restore reports loaded, open while the bulk table still loads.
    await waitFor('the counting session beside pg_restore, ended', async () => (await restoreProcesses(scratchPrefix)).length > 0 && (await endCountingSession(scratchPrefix)), 60_000, 20);

    await handle.result();
    const [restore] = await activityRuns(worker.client, workflowId, 'restoreToFinalName');
    expect([restore!.outcome, restore!.attempt]).toEqual(['completed', 2]);
    expect(restore!.lastFailure).toMatchObject({ type: 'TransientFailure', message: expect.stringMatching(new RegExp(`^counting the rows restored into ${scratchPrefix}\\w+ failed: `)) });
    expect(await rowCounts('postgres', database)).toEqual(await rowCounts('postgres', fixture.pgDatabase));
    expect(await databasesNamed('postgres', scratchPrefix)).toEqual([]);
  });

  it('a restore that fails a check drops the new database and reports the failed check', async () => {
    const target = fixture.targets.mysql;
    const [backup] = await repository.list(target);
    expect(backup!.verify?.status).toBe('failed');
    const stamp = '20300102T000001Z';
    const handle = await worker.client.workflow.start(restoreBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('restore'), args: [{ target, pick: { backupId: backup!.id }, stamp }] });
    const error = await handle.result().then(() => undefined, (err: unknown) => err);

    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure.type).toBe('VerifyFailed');
    expect(failure.message).toMatch(/^restore of .* failed: assertion "at least a million customers": got \d+, expected >= 1000000$/);
    expect(await databasesNamed('mysql', restoredDatabaseName(fixture.myDatabase, stamp))).toEqual([]);
    expect(await databasesNamed('mysql', `restore_${target.replace(/-/g, '_')}_`)).toEqual([]);
    const report = readFileSync(join(fixture.config.reports, `restore-${target}-${stamp}.md`), 'utf8');
    expect(report).toContain(`# Restore ${target}: FAILED`);
    expect(report).toMatch(/\| assertion at least a million customers \| FAIL \| got \d+, expected >= 1000000 \|/);
    expect(report).toContain('| checksum | PASS |');
    expect(report).toContain('(not kept: the restore did not pass)');
  });

  it('a --replace --yes whose checks fail leaves the old database as it was and keeps nothing', async () => {
    const target = fixture.targets.mysql;
    const [backup] = await repository.list(target);
    const before = await rowCounts('mysql', fixture.myDatabase);
    const stamp = '20300102T000002Z';
    const handle = await worker.client.workflow.start(restoreBackup, { taskQueue: worker.taskQueue, workflowId: worker.workflowId('restore'), args: [{ target, pick: { backupId: backup!.id }, replace: true, yes: { by: 'ci-bot' }, stamp }] });
    const error = await handle.result().then(() => undefined, (err: unknown) => err);

    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe('VerifyFailed');
    expect(await rowCounts('mysql', fixture.myDatabase)).toEqual(before);
    expect(await databasesNamed('mysql', keptDatabaseName(fixture.myDatabase, stamp))).toEqual([]);
    expect(await databasesNamed('mysql', `restore_${target.replace(/-/g, '_')}_`)).toEqual([]);
  });
});
