import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupRepository } from '../../src/records/backup-repository.js';
import { stampOf } from '../../src/core/backup-id.js';
import { restoredDatabaseName } from '../../src/core/restore-pick.js';
import { backupTarget } from '../../src/workflows/backup-target.js';
import { restoreBackup } from '../../src/workflows/restore-backup.js';
import { activityRuns } from '../support/activity-history.js';
import { makeBackupFixture, type BackupFixture } from '../support/backup-fixture.js';
import { addBulkPostgresTable } from '../support/bulk-table.js';
import { allJobsLoading, restoreProcesses } from '../support/scratch-restore.js';
import { databasesNamed, dropRestoredDatabases, rowCounts, targetsAsAdmin } from '../support/restored-databases.js';
import { testServers } from '../support/servers.js';
import { waitFor } from '../support/wait-for.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';

/**
 * `kill -9` of the worker while `ops restore` loads the backup: the load goes into a restore_*
 * scratch database, never the final name, so the retry on the other worker is not refused; it
 * drops the dead attempt's scratch database, restores again, and only the checked copy takes the
 * final name.
 */
describe('a worker killed while ops restore loads the backup', () => {
  let fixture: BackupFixture;
  let connection: Connection | undefined;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    fixture = await makeBackupFixture({ offsite: 'none', edit: targetsAsAdmin });
    // Enough rows that pg_restore's data section runs for seconds.
    await addBulkPostgresTable(fixture.pgDatabase, 600_000);
    connection = await Connection.connect({ address: testServers().temporalAddress });
  });
  afterAll(async () => {
    // Worker processes run detached from vitest: kill them, and anything left in their groups, whatever happened.
    for (const worker of workers) await worker.kill();
    await connection?.close();
    if (fixture) await dropRestoredDatabases('postgres', fixture.id);
    await fixture?.cleanup();
  });

  it('pg_restore and its --jobs die with the worker; the retry finishes; the final database has the backup’s rows; no scratch database is left', async () => {
    const target = fixture.targets.postgres;
    const client = new Client({ connection: connection! });
    const taskQueue = `restore-crash-${randomBytes(4).toString('hex')}`;
    const pair = await Promise.all([0, 1].map(() => startWorkerProcess({ configFile: fixture.configFile, env: fixture.env, taskQueue })));
    workers.push(...pair);
    await client.workflow.execute(backupTarget, { taskQueue, workflowId: `restore-crash-backup-${randomBytes(4).toString('hex')}`, args: [{ target, stamp: stampOf(new Date()), offsite: false }] });
    const [backup] = await new BackupRepository(fixture.config.repository).list(target);

    const stamp = '20300103T000000Z';
    const final = restoredDatabaseName(fixture.pgDatabase, stamp);
    const scratchPrefix = `restore_${target.replace(/-/g, '_')}_`;
    const workflowId = `restore-crash-${randomBytes(4).toString('hex')}`;
    const handle = await client.workflow.start(restoreBackup, { taskQueue, workflowId, args: [{ target, pick: { backupId: backup!.id }, stamp }] });
    const scratch = () => databasesNamed('postgres', scratchPrefix);

    // The leader and the jobs it forked (their parent is the leader, not the worker), all loading.
    await waitFor('pg_restore and its jobs loading into the scratch database', () => allJobsLoading(scratchPrefix), 150_000, 50);
    const loaders = await restoreProcesses(scratchPrefix);
    const owner = pair.find((worker) => loaders.some((p) => p.ppid === worker.pid));
    expect(owner, `one of pg_restore's processes ${JSON.stringify(loaders)} is a child of one of the workers`).toBeDefined();
    const survivor = pair.find((worker) => worker !== owner)!;
    await owner!.killAlone();

    // The jobs too: the kernel's parent-death signal reaches the leader only, the watchdog the rest of its group.
    await waitFor('no pg_restore of the dead worker left, leader or job', async () => (await restoreProcesses(scratchPrefix)).length === 0, 2_000, 50);
    const dead = await scratch();
    expect(dead).toHaveLength(1);
    expect(await databasesNamed('postgres', final)).toEqual([]);

    // Sample while Temporal retries the step (once the dead worker's heartbeats stop): the final name never exists while pg_restore still loads.
    let finalSeenEarly = false;
    let mostScratch = 0;
    let settled = false;
    const outcome = handle.result().finally(() => (settled = true));
    while (!settled) {
      mostScratch = Math.max(mostScratch, (await scratch()).length);
      // The final name first: no pg_restore starts after the promotion, so one seen after it overlapped it.
      if ((await databasesNamed('postgres', final)).length > 0 && (await restoreProcesses(scratchPrefix)).length > 0) finalSeenEarly = true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const record = await outcome;

    expect(record, survivor.output()).toMatchObject({ status: 'passed', database: final, backupId: backup!.id });
    expect(await rowCounts('postgres', final)).toEqual(backup!.manifest.tables);
    expect(finalSeenEarly).toBe(false);
    expect(mostScratch).toBe(1);
    expect(await scratch()).toEqual([]);
    expect(await restoreProcesses(scratchPrefix)).toEqual([]);
    const [restore, ...more] = await activityRuns(client, workflowId, 'restoreToFinalName');
    expect(more).toEqual([]);
    expect([restore!.outcome, restore!.attempt, restore!.lastFailure?.type]).toEqual(['completed', 2, 'timeout HEARTBEAT']);
  }, 300_000);
});
